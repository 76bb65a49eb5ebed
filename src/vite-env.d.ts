/** Compile-time flag: true in development builds and tests, false (and dead-code-eliminated) in production. */
declare const __DEV__: boolean;
/** True in the npm library build (`dist/localrank.js`, the engine's files beside it). False in dev and the demo. */
declare const __LIBRARY__: boolean;
/** The worker's URL relative to the module that starts it: the built worker file, or its source in dev. */
declare const __WORKER_URL__: string;
/** The model part's URL (TensorFlow.js and the scorer) relative to the module that starts the worker. */
declare const __MODEL_PART_URL__: string;
/** The package's version, from package.json. */
declare const __VERSION__: string;
