// A Node module-resolution hook (registered with `module.register` by cli/ts-loader.ts): generated
// model code imports the runtime by package name, `attnc/runtime/<path>.js`. Compiled into a folder
// where no `attnc` package resolves (say /tmp/x, outside any project that depends on attnc), those
// imports would fail; here they fall back to the attnc that is running, resolved as that package's
// own self-reference (its `exports` map), so the generated code and the CLI share one runtime.
// Plain JavaScript: hooks load on Node's loader thread, before any TypeScript loader could apply.

/** `file:` URL of the running attnc's package.json (set by `initialize`). */
let attncPackageJson;

export function initialize(data) {
  attncPackageJson = data.attncPackageJson;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const ours = specifier === 'attnc' || specifier.startsWith('attnc/');
    if (!ours || !attncPackageJson || e?.code !== 'ERR_MODULE_NOT_FOUND' || context.parentURL === attncPackageJson) throw e;
    return nextResolve(specifier, { ...context, parentURL: attncPackageJson });
  }
}
