// Nexmark's auction model — people, auctions and bids — and a deterministic generator of its
// event stream, written for Sluice's benchmarks after the model of the NEXMark paper and of Beam's
// and Flink's Nexmark suites: of every 50 events 1 is a person, 3 are auctions and 46 are bids
// (2% / 6% / 92%); sellers and bidders are recent people, bids go to recent auctions and half
// of them to "hot" auctions; auctions expire 1–10 s of event time after they open. Event n is a
// pure function of n, so a batch's events can be generated inside its tasks, in parallel.

export interface Person {
  kind: "person";
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
}
export interface Auction {
  kind: "auction";
  id: number;
  itemName: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
}
export interface Bid {
  kind: "bid";
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  dateTime: number;
}
export type NexmarkEvent = Person | Auction | Bid;

export const FIRST_ID = 1000;
const STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"];
const CITIES = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent"];
const FIRST_NAMES = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
const LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];
const CHANNELS = ["Google", "Facebook", "Baidu", "Apple"];

/** A small fast generator seeded by the event number (mulberry32). */
function random(seed: number): () => number {
  let a = (seed * 2654435761) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Event `n` of a stream of `eventsPerSecond` events a second of event time, starting at
 * `baseTime` (ms): its time is baseTime + n / eventsPerSecond seconds.
 */
export function nexmarkEvent(n: number, eventsPerSecond: number, baseTime = 0): NexmarkEvent {
  const rand = random(n + 1);
  const dateTime = baseTime + Math.floor((n * 1000) / eventsPerSecond);
  const block = Math.floor(n / 50);
  const slot = n % 50;
  const lastPerson = FIRST_ID + block; // the block's person comes first
  const recentPerson = () => lastPerson - Math.floor(rand() ** 2 * Math.min(block + 1, 100));
  if (slot === 0) {
    const first = FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(rand() * LAST_NAMES.length)]!;
    return {
      kind: "person",
      id: lastPerson,
      name: `${first} ${last}`,
      emailAddress: `${first.toLowerCase()}@${last.toLowerCase()}.com`,
      creditCard: String(1000_0000_0000_0000 + Math.floor(rand() * 9000_0000_0000_0000)),
      city: CITIES[Math.floor(rand() * CITIES.length)]!,
      state: STATES[Math.floor(rand() * STATES.length)]!,
      dateTime,
    };
  }
  if (slot <= 3) {
    const initialBid = 100 + Math.floor(rand() * 900);
    return {
      kind: "auction",
      id: FIRST_ID + block * 3 + slot - 1,
      itemName: `item-${Math.floor(rand() * 10000)}`,
      initialBid,
      reserve: initialBid + Math.floor(rand() * 1000),
      dateTime,
      expires: dateTime + 1000 + Math.floor(rand() * 9000),
      seller: recentPerson(),
      category: 10 + Math.floor(rand() * 5),
    };
  }
  const lastAuction = FIRST_ID + block * 3 + 2;
  const auction =
    rand() < 0.5
      ? Math.max(FIRST_ID, Math.floor(lastAuction / 100) * 100) // a hot auction
      : lastAuction - Math.floor(rand() * Math.min(block * 3 + 3, 1000));
  return {
    kind: "bid",
    auction,
    bidder: recentPerson(),
    price: 100 + Math.floor(rand() ** 3 * 10000),
    channel: CHANNELS[Math.floor(rand() * CHANNELS.length)]!,
    dateTime,
  };
}

/** The events of batch `i` when each batch holds `perBatch` events (one second of event time). */
export function batchEvents(i: number, perBatch: number): NexmarkEvent[] {
  const out: NexmarkEvent[] = new Array(perBatch);
  for (let k = 0; k < perBatch; k++) out[k] = nexmarkEvent(i * perBatch + k, perBatch);
  return out;
}
