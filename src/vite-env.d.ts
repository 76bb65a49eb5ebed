/** Compile-time flag: true in development builds and tests, false (and dead-code-eliminated) in production. */
declare const __DEV__: boolean;
/** True in the npm library build: the default model sits beside the module. False in dev and the demo. */
declare const __MODEL_BESIDE_MODULE__: boolean;
/** The package's version, from package.json. */
declare const __VERSION__: string;
