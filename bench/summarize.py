#!/usr/bin/env python3
"""Print bench/run's table from its raw results and judge it against the
goals of the data-path milestone.

  summarize.py [--backstore KIND] RESULTS.tsv

RESULTS.tsv has one measurement a line: round, target, workload, value,
unit (tab-separated).  Targets: luna, tgt, iperf3, and optionally luna-ram
(Luna's RAM disk beside another backstore) and luna-nodigest / luna-crc32c
(luna-iscsi bench without and with CRC32C digests).
"""
import argparse
import statistics
import sys
from collections import defaultdict

WORKLOADS = ["read-256k-qd16", "read-4k-qd32", "read-4k-qd1", "write-256k-qd16",
             "write-4k-qd32"]
# luna / tgt, as the median of the rounds
GOALS = {"read-256k-qd16": 1.3, "read-4k-qd32": 1.5, "read-4k-qd1": 1.3,
         "write-256k-qd16": 3.0, "write-4k-qd32": 1.5}
IPERF_SHARE = 0.85     # read-256k-qd16 against one TCP stream
SAME_AS_RAM = 0.90     # shm-fileio against the RAM disk
DIGEST_LOSS = 0.15     # 256 KiB reads with CRC32C header and data digests


def fmt(vals):
    if not vals:
        return "-"
    return "%.0f [%.0f-%.0f]" % (statistics.median(vals), min(vals), max(vals))


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backstore", default="ramdisk")
    ap.add_argument("results")
    a = ap.parse_args()

    data = defaultdict(list)   # (target, workload) -> values
    units = {}
    rounds = set()
    with open(a.results) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5 or not parts[3]:
                continue
            r, target, work, value, unit = parts
            data[(target, work)].append(float(value))
            units[work] = unit
            rounds.add(r)

    med = {k: statistics.median(v) for k, v in data.items() if v}
    luna = "luna (%s)" % a.backstore
    cols = [("luna", luna), ("tgt", "tgt")]
    if any(t == "luna-ram" for t, _ in data):
        cols.append(("luna-ram", "luna (ramdisk)"))
    print()
    print("%d rounds; each cell: median [min-max]" % len(rounds))
    head = "%-16s" % "workload" + "".join("%24s" % c[1] for c in cols) + \
        "  %-5s %8s %8s  %s" % ("unit", "luna/tgt", "goal", "")
    print(head)
    print("-" * len(head))
    misses = 0
    for w in WORKLOADS:
        if ("luna", w) not in med:
            continue
        row = "%-16s" % w + "".join("%24s" % fmt(data.get((c[0], w), [])) for c in cols)
        ratio = med[("luna", w)] / med[("tgt", w)] if med.get(("tgt", w)) else float("inf")
        ok = ratio >= GOALS[w]
        misses += not ok
        print(row + "  %-5s %8.2f %7s  %s" % (units[w], ratio, ">=%.1f" % GOALS[w],
                                              verdict(ok)))
    print()
    iperf = data.get(("iperf3", "one-stream"), [])
    if iperf:
        print("iperf3 one TCP stream over loopback: %s MB/s" % fmt(iperf))
        if ("luna", "read-256k-qd16") in med:
            share = med[("luna", "read-256k-qd16")] / statistics.median(iperf)
            ok = share >= IPERF_SHARE
            misses += not ok
            print("read-256k-qd16 / iperf3: %.0f%% (goal >= %.0f%%)  %s" %
                  (100 * share, 100 * IPERF_SHARE, verdict(ok)))
    else:
        print("iperf3: no figure (did it run?)")
    if cols[-1][0] == "luna-ram":
        print()
        print("luna (%s) against luna (ramdisk), median ratio:" % a.backstore)
        for w in WORKLOADS:
            if ("luna", w) in med and ("luna-ram", w) in med:
                r = med[("luna", w)] / med[("luna-ram", w)]
                if a.backstore == "shm-fileio":
                    ok = r >= SAME_AS_RAM
                    misses += not ok
                    print("  %-16s %6.2f  (goal >= %.2f)  %s" % (w, r, SAME_AS_RAM,
                                                                verdict(ok)))
                else:
                    print("  %-16s %6.2f  (reported)" % (w, r))
    off = data.get(("luna-nodigest", "read-256k-qd16"), [])
    on = data.get(("luna-crc32c", "read-256k-qd16"), [])
    if off and on:
        loss = 1 - statistics.median(on) / statistics.median(off)
        ok = loss < DIGEST_LOSS
        misses += not ok
        print()
        print("256 KiB reads, qd16, luna-iscsi bench (MB/s): no digests %s, CRC32C header "
              "and data digests %s" % (fmt(off), fmt(on)))
        print("loss with digests: %.1f%% (goal < %.0f%%)  %s" % (100 * loss, 100 * DIGEST_LOSS,
                                                                 verdict(ok)))
    print()
    print("goals missed: %d" % misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
