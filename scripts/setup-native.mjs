console.log("[attnc setup] native provisioning not yet written")
