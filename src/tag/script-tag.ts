/**
 * The script-tag build (`dist/localrank.iife.js`): one classic script that defines `window.localrank`.
 *
 *   <script src="/localrank/localrank.iife.js" data-model="/models/shop/manifest.json" async></script>
 *
 * This file stays small: it reads the tag's `data-*` attributes, replays calls queued by the stub,
 * watches marked product tiles and the GA4 dataLayer, and only after the page has loaded and the
 * main thread is idle does it `import()` the engine (`localrank.js` beside it), which starts the
 * worker and downloads the model. Any failure leaves the page as the server rendered it.
 */
import { currentScript, installTag, type Host } from './tag';

try {
  installTag(window as unknown as Host, currentScript(document));
} catch (error) {
  console.debug('[localrank] could not start', error);
}
