// Nexmark's queries q0–q8 in Sluice's own API (DStreams), over batches that each hold one second
// of event time (see model.ts), so the 10 s windows of the queries are windows of 10 batches.
// What each query outputs, per batch:
//   q0 pass-through: every bid
//   q1 currency conversion: bids with the price in euros (× 0.908)
//   q2 selection: [auction, price] of bids on auctions whose id is a multiple of 123
//   q3 local item suggestion: [name, city, state, auction] for auctions of category 10 by
//      sellers in OR, ID or CA (an incremental join of people and auctions)
//   q4 average price for a category: [category, average winning price] over every auction
//      closed so far (a winning bid is an auction's highest bid at or above its reserve made
//      before it expires; an auction closes with the first batch at or after its expiry)
//   q5 hot items: [auction, bids] of the auctions with the most bids in a window of 10 s
//      sliding every 2 s
//   q6 average selling price by seller: [seller, average] of the seller's last 10 closed
//      auctions, for the sellers whose auctions closed in the batch
//   q7 highest bid: [auction, price, bidder] of the highest bids of each 10 s window
//   q8 monitor new users: [person, name] of the people who registered and opened an auction
//      in the same 10 s window
import { StateSpec, type DStream, type RDD } from "../../src/index.js";
import type { Auction, Bid, NexmarkEvent, Person } from "./model.js";

type Query = (events: DStream<NexmarkEvent>) => DStream<unknown>;

const bidsOf = (events: DStream<NexmarkEvent>) => events.filter((e): e is Bid => e.kind === "bid");
const auctionsOf = (events: DStream<NexmarkEvent>) => events.filter((e): e is Auction => e.kind === "auction");
const personsOf = (events: DStream<NexmarkEvent>) => events.filter((e): e is Person => e.kind === "person");
const add = (a: number, b: number) => a + b;
const sub = (a: number, b: number) => a - b;

/** The records of `rdd` whose score is the highest (all of them when several tie), as one shuffle. */
function topBy<T>(rdd: RDD<T>, score: (t: T) => number): RDD<T> {
  return rdd
    .map((t): [number, [number, T[]]] => [0, [score(t), [t]]])
    .reduceByKey(([sa, a], [sb, b]): [number, T[]] => (sa > sb ? [sa, a] : sb > sa ? [sb, b] : [sa, a.concat(b)]))
    .flatMap(([, [, ts]]) => ts);
}

interface OpenAuction {
  auction: Auction;
  best: number; // the winning price so far; 0 before a valid bid
}

/**
 * Auctions as they close, with their winning price: the open auctions are an RDD the driver
 * carries from batch to batch (the RDD pattern for state that needs the batch time), merged
 * with each batch's new auctions and valid bids.
 */
function closedAuctions(events: DStream<NexmarkEvent>): DStream<OpenAuction> {
  let open: RDD<[number, OpenAuction]> | undefined;
  const kept: RDD<unknown>[] = []; // the cached merges of the last batches
  return events.transform((time: Date, rdd: RDD<NexmarkEvent>) => {
    const t = time.getTime();
    const fresh = rdd
      .filter((e): e is Auction => e.kind === "auction")
      .map((a) => [a.id, { auction: a, best: 0 }] as [number, OpenAuction]);
    const known = open ? open.union(fresh) : fresh;
    const best = rdd
      .filter((e): e is Bid => e.kind === "bid")
      .map((b) => [b.auction, b] as [number, Bid])
      .join(known)
      .filter(([, [b, o]]) => b.dateTime < o.auction.expires && b.price >= o.auction.reserve)
      .mapValues(([b]) => b.price)
      .reduceByKey(Math.max);
    const merged = known
      .leftOuterJoin(best)
      .mapValues(([o, p]): OpenAuction => (p != null && p > o.best ? { auction: o.auction, best: p } : o))
      .cache();
    // two batches back: the last batch's merge, which this one reads, was computed from it
    kept.push(merged);
    if (kept.length > 2) kept.shift()!.unpersist();
    open = merged.filter(([, o]) => o.auction.expires > t);
    return merged.filter(([, o]) => o.auction.expires <= t && o.best > 0).values();
  });
}

export const queries: Record<string, Query> = {
  q0: (events) => bidsOf(events),
  q1: (events) => bidsOf(events).map((b) => ({ ...b, price: b.price * 0.908 })),
  q2: (events) =>
    bidsOf(events)
      .filter((b) => b.auction % 123 === 0)
      .map((b) => [b.auction, b.price]),
  q3: (events) => {
    type Side = ["p", [string, string, string]] | ["a", number];
    const people: DStream<[number, Side]> = personsOf(events)
      .filter((p) => p.state === "OR" || p.state === "ID" || p.state === "CA")
      .map((p) => [p.id, ["p", [p.name, p.city, p.state]]]);
    const auctions: DStream<[number, Side]> = auctionsOf(events)
      .filter((a) => a.category === 10)
      .map((a) => [a.seller, ["a", a.id]]);
    type Seen = { person?: [string, string, string]; waiting: number[] };
    return people
      .union(auctions)
      .mapWithState(
        StateSpec.function((_id: number, side: Side | undefined, state) => {
          const s = (state.getOption() as Seen | undefined) ?? { waiting: [] };
          let out: number[] = [];
          if (side?.[0] === "p") [s.person, out, s.waiting] = [side[1], s.waiting, []];
          else if (side?.[0] === "a") (s.person ? out : s.waiting).push(side[1]);
          state.update(s);
          return out.map((a) => [...s.person!, a]);
        }),
      )
      .flatMap((rows) => rows);
  },
  q4: (events) =>
    closedAuctions(events)
      .map((o) => [o.auction.category, [o.best, 1]] as [number, [number, number]])
      .updateStateByKey((vs: [number, number][], old?: [number, number]) =>
        vs.reduce(([s, n], [ps, pn]) => [s + ps, n + pn], old ?? [0, 0]),
      )
      .mapValues(([s, n]) => s / n),
  q5: (events) =>
    bidsOf(events)
      .map((b) => [b.auction, 1] as [number, number])
      .reduceByKeyAndWindow(add, sub, 10, 2)
      .transform((rdd: RDD<[number, number]>) => topBy(rdd, ([, n]) => n)),
  q6: (events) =>
    closedAuctions(events)
      .map((o) => [o.auction.seller, [o.auction.id, o.best]] as [number, [number, number]])
      .groupByKey()
      .mapWithState(
        StateSpec.function((seller: number, closed: Iterable<[number, number]> | undefined, state) => {
          const last = (state.getOption() as number[] | undefined) ?? [];
          for (const [, price] of [...(closed ?? [])].sort((a, b) => a[0] - b[0])) last.push(price);
          const kept = last.slice(-10);
          state.update(kept);
          return [seller, kept.reduce(add, 0) / kept.length];
        }),
      ),
  q7: (events) =>
    bidsOf(events)
      .window(10, 10)
      .transform((rdd: RDD<Bid>) => topBy(rdd, (b) => b.price).map((b) => [b.auction, b.price, b.bidder])),
  q8: (events) =>
    personsOf(events)
      .window(10, 10)
      .map((p) => [p.id, p.name] as [number, string])
      .join(
        auctionsOf(events)
          .window(10, 10)
          .map((a) => [a.seller, a.id] as [number, number]),
      )
      .mapValues(([name]) => name)
      .reduceByKey((a) => a),
};
