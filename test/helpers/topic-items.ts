import { mulberry32, randomInt } from '../../lib/util/random.js';

/** Topics with words of their own, so even the offline TF-IDF clusters them cleanly. */
export const TOPICS: Record<string, readonly string[]> = {
  billing: ['refund', 'charge', 'invoice', 'billing', 'payment', 'card', 'receipt', 'vat'],
  login: ['login', 'password', 'reset', 'locked', 'signin', 'sso', 'code', 'verify'],
  mobile: ['iphone', 'android', 'crash', 'tablet', 'battery', 'offline', 'sync', 'install'],
  notifications: ['notification', 'alert', 'bell', 'digest', 'mute', 'badge', 'unread', 'ping'],
};

/** Items `from`..`to` of a topic, the same ids and words in every run. */
export function topicItems(topic: string, from: number, to: number): string[] {
  const words = TOPICS[topic] ?? [];
  return Array.from({ length: to - from }, (_, k) => {
    const rng = mulberry32(1000 * Object.keys(TOPICS).indexOf(topic) + from + k);
    const said = Array.from({ length: 6 }, () => words[randomInt(rng, words.length)]).join(' ');
    return JSON.stringify({
      id: `${topic}-${from + k}`,
      inputs: { messages: [{ role: 'user', content: `Hello, ${said}, thanks` }] },
      label: topic,
    });
  });
}
