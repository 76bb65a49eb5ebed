import { createPersonalizer } from 'localrank';
import { useEffect, useState } from 'react';
import { CATALOGUE, personalise } from './scenario.js';

/**
 * The usual effect: create the personalizer on mount, close it on unmount. StrictMode mounts,
 * unmounts and mounts again in development, so a first personalizer is closed as soon as it
 * exists and only the second one tracks and reranks.
 */
export function App() {
  const [order, setOrder] = useState(CATALOGUE.map((item) => item.id));
  useEffect(() => {
    const namespace = new URLSearchParams(location.search).get('namespace') ?? 'consumer';
    let closed = false;
    const starting = createPersonalizer({ namespace });
    starting.then(async (lr) => {
      if (closed) return;
      const outcome = await personalise(lr);
      if (!closed) setOrder(outcome.order);
    });
    return () => {
      closed = true;
      void starting.then((lr) => lr.close());
    };
  }, []);
  return (
    <ol>
      {order.map((id) => (
        <li key={id}>{CATALOGUE.find((item) => item.id === id).features.text}</li>
      ))}
    </ol>
  );
}
