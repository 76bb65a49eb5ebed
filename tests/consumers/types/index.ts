// Type-checked by tests/consumers/package.spec.ts under moduleResolution bundler, node16 and
// nodenext, with skipLibCheck off: the published types must resolve, and must not be `any`.
import { createPersonalizer, isInputError, LocalrankError, type ErrorCode, type Info, type RerankResult } from 'localrank';

const lr = await createPersonalizer({ namespace: 'types' });
await lr.track({ type: 'click', itemId: 'sku-1', features: { category: ['Shoes'], price: 89 } });
const result: RerankResult = await lr.rerank([{ id: 'sku-1' }, { id: 'sku-2', score: 0.5 }], { explain: true });
const code: ErrorCode | undefined = result.fallback?.code;
const info: Info = await lr.info();
const backend: string = info.state === 'ready' ? info.backend : (info.failure?.message ?? info.state);
const input: boolean = isInputError(new LocalrankError('INVALID_OPTIONS', 'x'));

// @ts-expect-error: not an option (an error here means the types resolved to `any`)
await createPersonalizer({ namespaces: 'typo' });
// @ts-expect-error: not an event type
await lr.track({ type: 'hover', itemId: 'sku-1' });
// @ts-expect-error: only the ready state has a backend
void info.backend;

export { backend, code, input };
