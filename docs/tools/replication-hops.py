#!/usr/bin/env python3
"""Breaks sync writes down by hop from the agents' meridian.ReplicationHop JFR events (ADR 0051).

Each agent runs with -Dmeridian.trace.hops=true and a flight recording; dump each one with
`jcmd PID JFR.dump name=... filename=REGION.jfr` before the teardown, then:

  replication-hops.py --primary us-east us-east=us-east.jfr eu-central=eu-central.jfr \
      ap-southeast=ap-southeast.jfr --oneway ap-southeast=107.5 --oneway eu-central=45

For every write answered at the primary (joined by sequence), takes the replica whose
acknowledgement came last and prints percentiles of each hop in milliseconds. Needs `jfr` on PATH.
"""
import json, subprocess, sys, statistics, bisect, collections

def load(path):
    out = subprocess.run(["jfr", "print", "--json", "--events", "meridian.ReplicationHop", path],
                         capture_output=True, text=True, check=True).stdout
    evs = json.loads(out)["recording"]["events"]
    return [e["values"] for e in evs]

args = sys.argv[1:]
files = {}
oneway = {}
primary = None
i = 0
while i < len(args):
    a = args[i]
    if a == "--oneway":
        k, v = args[i+1].split("="); oneway[k] = float(v); i += 2; continue
    if a == "--primary":
        primary = args[i+1]; i += 2; continue
    k, v = a.split("="); files[k] = v; i += 1
ev = {k: load(v) for k, v in files.items()}
def idx(region, hop, peer=None):
    d = {}
    for e in ev[region]:
        if e["hop"] == hop and (peer is None or e["peer"] == peer):
            d.setdefault(e["sequence"], e)
    return d
def syncs(region):
    return sorted((e["sinceNanos"], e["nanos"]) for e in ev[region] if e["hop"] == "store-synced")

P = primary
replicas = [r for r in files if r != P]
answered = idx(P, "client-answered")
psync = syncs(P)
rows = collections.defaultdict(list)
cache = {}
for R in replicas:
    cache[(P, "sent-batch", R)] = idx(P, "sent-batch", R)
    cache[(P, "wire-batch", R)] = idx(P, "wire-batch", R)
    cache[(R, "received-batch", P)] = idx(R, "received-batch", P)
    cache[(R, "sent-ack", P)] = idx(R, "sent-ack", P)
    cache[(R, "wire-ack", P)] = idx(R, "wire-ack", P)
    cache[(P, "received-ack", R)] = idx(P, "received-ack", R)
syncs_c = {R: syncs(R) for R in replicas}
for seq, ans in sorted(answered.items()):
    t_client = ans["sinceNanos"]; t7 = ans["nanos"]
    per = {}
    ok = True
    for R in replicas:
        key = R
        c = cache[(P, "sent-batch", R)].get(seq); w = cache[(P, "wire-batch", R)].get(seq)
        rb = cache[(R, "received-batch", P)].get(seq); sa = cache[(R, "sent-ack", P)].get(seq)
        wa = cache[(R, "wire-ack", P)].get(seq); ra = cache[(P, "received-ack", R)].get(seq)
        if None in (c, w, rb, sa, wa, ra):
            ok = False; break
        rs = syncs_c[R]
        j = bisect.bisect_left(rs, (rb["nanos"], 0))
        s = rs[j] if j < len(rs) else None
        per[R] = dict(c=c["nanos"], w=w["nanos"], wrel=w["sinceNanos"], rb=rb["nanos"],
                      ss=s[0] if s else None, se=s[1] if s else None, sa=sa["nanos"],
                      wa=wa["nanos"], warel=wa["sinceNanos"], ra=ra["nanos"])
    if not ok:
        continue
    last = max(per, key=lambda r: per[r]["ra"])
    h = per[last]
    ms = lambda a, b: (b - a) / 1e6
    rows["total (request in -> answer out)"].append(ms(t_client, t7))
    rows["primary: request in -> batch sent"].append(ms(t_client, h["c"]))
    rows["emulated out: sent -> wire (delay+jitter+late)"].append(ms(h["c"], h["w"]))
    rows["  of which scheduling lateness out"].append(ms(h["wrel"], h["w"]))
    if oneway.get(last) is not None:
        rows["  of which emulated delay - one-way (jitter) out"].append(ms(h["c"], h["wrel"]) - oneway[last])
    rows["loopback gRPC primary -> replica"].append(ms(h["w"], h["rb"]))
    if h["ss"] is not None:
        rows["replica: received -> sync start"].append(ms(h["rb"], h["ss"]))
        rows["replica: fsync"].append(ms(h["ss"], h["se"]))
        rows["replica: sync done -> ack sent"].append(ms(h["se"], h["sa"]))
    rows["replica: received -> ack sent"].append(ms(h["rb"], h["sa"]))
    rows["emulated back: sent -> wire"].append(ms(h["sa"], h["wa"]))
    rows["  of which scheduling lateness back"].append(ms(h["warel"], h["wa"]))
    if oneway.get(last) is not None:
        rows["  of which emulated delay - one-way (jitter) back"].append(ms(h["sa"], h["warel"]) - oneway[last])
    rows["loopback gRPC replica -> primary"].append(ms(h["wa"], h["ra"]))
    rows["primary: last ack in -> answer out"].append(ms(h["ra"], t7))
    ow = oneway.get(last)
    if ow is not None:
        rows["above 2x one-way (total - rtt)"].append(ms(t_client, t7) - 2 * ow)
    rows["slowest replica is " + last].append(1)
    j = bisect.bisect_left(psync, (t_client, 0))
    if j < len(psync):
        rows["primary own fsync"].append(ms(psync[j][0], psync[j][1]))
        rows["primary own sync done before last ack (ms ahead)"].append(ms(psync[j][1], h["ra"]))
def pct(v, p):
    v = sorted(v); return v[min(len(v)-1, int(p * len(v)))]
print(f"{'hop':52s} {'n':>5s} {'p50':>8s} {'mean':>8s} {'p90':>8s} {'p99':>8s}")
for k, v in rows.items():
    if k.startswith("slowest"):
        print(f"{k:52s} {len(v):5d}"); continue
    print(f"{k:52s} {len(v):5d} {pct(v,.5):8.2f} {statistics.mean(v):8.2f} {pct(v,.9):8.2f} {pct(v,.99):8.2f}")
