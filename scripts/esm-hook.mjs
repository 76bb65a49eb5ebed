// Node resolution hook for scripts run with tsx: tfjs-core's ESM build (needed for
// `register_all_gradients`) imports files without extensions, which Node's ESM resolver rejects.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = error && error.code;
    const fromTfjs = context.parentURL && context.parentURL.includes('/node_modules/@tensorflow/');
    if (fromTfjs && specifier.startsWith('.') && (code === 'ERR_UNSUPPORTED_DIR_IMPORT' || code === 'ERR_MODULE_NOT_FOUND')) {
      return next(`${specifier}.js`, context);
    }
    throw error;
  }
}
