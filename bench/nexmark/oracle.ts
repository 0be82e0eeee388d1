// Nexmark's queries q0–q8 as plain loops over the batches' events: the values Sluice's versions
// (queries.ts) are checked against. Outputs are keyed by batch time (batch i ends at (i + 1) s);
// a windowed query has outputs only at the ends of its slides, as a windowed DStream does.
import type { Auction, Bid, NexmarkEvent } from "./model.js";

type Outputs = Map<number, unknown[]>;

const isBid = (e: NexmarkEvent): e is Bid => e.kind === "bid";

/** The events of the batches ending in (end − window, end], for windows sliding by `slide` ms. */
function windows(batches: NexmarkEvent[][], windowMs: number, slideMs: number): [number, NexmarkEvent[]][] {
  const out: [number, NexmarkEvent[]][] = [];
  for (let i = 0; i < batches.length; i++) {
    const end = (i + 1) * 1000;
    if (end % slideMs !== 0) continue;
    out.push([end, batches.slice(Math.max(0, i + 1 - windowMs / 1000), i + 1).flat()]);
  }
  return out;
}

/** The items with the highest score, ties all kept. */
function top<T>(items: T[], score: (t: T) => number): T[] {
  const best = Math.max(...items.map(score));
  return items.filter((t) => score(t) === best);
}

/** Per batch, the auctions that closed in it with their winning price (as queries.ts's closedAuctions). */
function closings(batches: NexmarkEvent[][]): { auction: Auction; best: number }[][] {
  const open = new Map<number, { auction: Auction; best: number }>();
  return batches.map((events, i) => {
    const end = (i + 1) * 1000;
    for (const e of events) {
      if (e.kind === "auction") open.set(e.id, { auction: e, best: 0 });
      else if (e.kind === "bid") {
        const o = open.get(e.auction);
        if (o && e.dateTime < o.auction.expires && e.price >= o.auction.reserve && e.price > o.best) o.best = e.price;
      }
    }
    const closed: { auction: Auction; best: number }[] = [];
    for (const [id, o] of open)
      if (o.auction.expires <= end) {
        open.delete(id);
        if (o.best > 0) closed.push(o);
      }
    return closed;
  });
}

const perBatch = (batches: NexmarkEvent[][], f: (events: NexmarkEvent[], i: number) => unknown[]): Outputs =>
  new Map(batches.map((events, i) => [(i + 1) * 1000, f(events, i)]));

export const oracle: Record<string, (batches: NexmarkEvent[][]) => Outputs> = {
  q0: (batches) => perBatch(batches, (es) => es.filter(isBid)),
  q1: (batches) => perBatch(batches, (es) => es.filter(isBid).map((b) => ({ ...b, price: b.price * 0.908 }))),
  q2: (batches) =>
    perBatch(batches, (es) =>
      es
        .filter(isBid)
        .filter((b) => b.auction % 123 === 0)
        .map((b) => [b.auction, b.price]),
    ),
  q3: (batches) => {
    const seen = new Map<number, { person?: [string, string, string]; waiting: number[] }>();
    return perBatch(batches, (es) => {
      const out: unknown[] = [];
      for (const e of es) {
        if (e.kind === "person" && ["OR", "ID", "CA"].includes(e.state)) {
          const s = seen.get(e.id) ?? { waiting: [] };
          s.person = [e.name, e.city, e.state];
          for (const a of s.waiting) out.push([...s.person, a]);
          s.waiting = [];
          seen.set(e.id, s);
        } else if (e.kind === "auction" && e.category === 10) {
          const s = seen.get(e.seller) ?? { waiting: [] };
          if (s.person) out.push([...s.person, e.id]);
          else s.waiting.push(e.id);
          seen.set(e.seller, s);
        }
      }
      return out;
    });
  },
  q4: (batches) => {
    const sums = new Map<number, [number, number]>();
    const closed = closings(batches);
    return perBatch(batches, (_, i) => {
      for (const o of closed[i]!) {
        const [s, n] = sums.get(o.auction.category) ?? [0, 0];
        sums.set(o.auction.category, [s + o.best, n + 1]);
      }
      return [...sums].map(([c, [s, n]]) => [c, s / n]);
    });
  },
  q5: (batches) =>
    new Map(
      windows(batches, 10_000, 2_000).map(([end, es]) => {
        const counts = new Map<number, number>();
        for (const b of es.filter(isBid)) counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
        return [end, top([...counts], ([, n]) => n)];
      }),
    ),
  q6: (batches) => {
    const last = new Map<number, number[]>();
    const closed = closings(batches);
    return perBatch(batches, (_, i) => {
      const bySeller = new Map<number, { auction: Auction; best: number }[]>();
      for (const o of closed[i]!) bySeller.set(o.auction.seller, [...(bySeller.get(o.auction.seller) ?? []), o]);
      return [...bySeller].map(([seller, os]) => {
        const prices = last.get(seller) ?? [];
        for (const o of os.sort((a, b) => a.auction.id - b.auction.id)) prices.push(o.best);
        const kept = prices.slice(-10);
        last.set(seller, kept);
        return [seller, kept.reduce((a, b) => a + b, 0) / kept.length];
      });
    });
  },
  q7: (batches) =>
    new Map(
      windows(batches, 10_000, 10_000).map(([end, es]) => [
        end,
        top(es.filter(isBid), (b) => b.price).map((b) => [b.auction, b.price, b.bidder]),
      ]),
    ),
  q8: (batches) =>
    new Map(
      windows(batches, 10_000, 10_000).map(([end, es]) => {
        const sellers = new Set(es.flatMap((e) => (e.kind === "auction" ? [e.seller] : [])));
        return [end, es.flatMap((e) => (e.kind === "person" && sellers.has(e.id) ? [[e.id, e.name]] : []))];
      }),
    ),
};
