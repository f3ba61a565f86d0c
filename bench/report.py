#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The last step of make bench: the rows that bench packet, bench/linerate.sh and bench/flood.sh
wrote (one JSON object a line) become a short table on stdout and the same figures in one JSON
file.

Usage: bench/report.py ROWS OUT_JSON SECONDS_TAKEN
"""
import datetime
import json
import os
import sys


def machine():
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "kernel": os.uname().release,
    }


def met_word(met):
    return "met" if met else "MISSED"


def thousands(n):
    return f"{n:,}"


def per_packet_table(rows, setup):
    out = [
        f"Per packet: BPF_PROG_TEST_RUN, the kernel's own time, {thousands(setup['repeat'])} "
        f"repeats, median of {setup['rounds']} rounds,",
        f"on CPU {setup['bench_cpu']} (the ring's reader on CPU {setup['consumer_cpu']}). "
        "Ratios: pass paths to the empty XDP_PASS,",
        "drop paths to the empty XDP_DROP, the printk baseline to our IPv4 drop at the default",
        "--event-rate (its event held back).",
        "",
        f"{'':53} {'ns/pkt':>6} {'min-max':>9} {'ratio':>6}  {'target':>8}",
    ]
    for r in rows:
        line = f"{r['name']:53} {r['ns_median']:6} {str(r['ns_min']) + '-' + str(r['ns_max']):>9} "
        line += f"{r['ratio']:5.2f}x"
        if "target" in r:
            line += f"  {r['target']:>8} {met_word(r['met'])}"
        if "events_lost_pct" in r:
            lost = r["events_lost_pct"]
            line += f"  ({lost:.0f}% events lost)" if lost >= 10 else \
                f"  ({lost:.1f}% events lost)"
        out.append(line.rstrip())
    return out


def breakdown_table(parts):
    out = ["Where the drop and pass paths spend their time: differences of the medians above",
           "(to within about 2 ns: the kernel's whole nanoseconds and the noise)."]
    for p in parts:
        out.append(f"  {p['path']:5} {p['name']:50} {p['ns']:4} ns")
    return out


def flood_table(rows, setup):
    out = [
        "SYN flood from trafgen, the skb path of a container's veth (trafgen's rate is the "
        f"limit): {thousands(setup['count'])} SYNs a run, native XDP, "
        f"median of {setup['runs']} rounds;",
        f"flood and XDP on CPU {setup['flood_cpu']}, the consumer on CPU {setup['consumer_cpu']}; "
        "events lost: the most in any round.",
        "",
        f"{'':58} {'pkt/s':>9} {'ratio':>6} {'delivered':>9} {'throttled':>9} {'lost':>6}"
        f" {'CPU':>6}  target",
    ]
    for r in rows:
        line = f"{r['name']:58} {thousands(r['pps_median']):>9} {r['ratio']:5.3f}x"
        if "delivered_runs" in r:
            mid = len(r["delivered_runs"]) // 2
            delivered = sorted(r["delivered_runs"])[mid]
            throttled = sorted(r.get("throttled_runs") or [0])[mid if r.get("throttled_runs") else 0]
            line += f" {thousands(delivered):>9} {thousands(throttled):>9} {r['lost_max']:6}"
            line += f" {r['cpu_pct_median']:5.1f}%"
        elif "cpu_pct_median" in r:   # the drawing TUI: its events go to the screen
            line += f" {'(drawn)':>9} {'':>9} {'':>6} {r['cpu_pct_median']:5.1f}%"
        for name, ok in r.get("targets", {}).items():
            line += f"  {name} {met_word(ok)}"
        out.append(line.rstrip())
    unaccounted = [r["name"] for r in rows if r.get("accounted") is False]
    out.append("Every drop delivered, throttled or counted lost, in every round: " +
               ("yes." if not unaccounted else "NO for " + ", ".join(unaccounted) + "."))
    empty = rows[0]["ns_per_packet"]
    out += ["", f"Per packet in the flood (1 / rate): {rows[0]['name']} {empty:,} ns, and on top:"]
    out += [f"  {r['name']:38} {r['ns_per_packet'] - empty:+7,} ns" for r in rows[1:]]
    return out


def linerate_tables(rows, exact, queues, setup):
    one = [r for r in rows if r["cpus"] == 1]
    two = [r for r in rows if r["cpus"] == 2]
    patterns = []
    for r in one:
        if (r["pattern"], r["pattern_name"]) not in patterns:
            patterns.append((r["pattern"], r["pattern_name"]))
    names = []
    for r in one:
        if r["name"] not in names:
            names.append(r["name"])
    by = {(r["pattern"], r["name"]): r for r in one}
    out = [
        f"At the kernel's speed: bench/gen.c, {thousands(setup['count'])} frames a run "
        "(BPF_PROG_TEST_RUN, live frames, out of a veth into the",
        f"peer's native XDP), median of {setup['runs']} rounds. One CPU: the generator on CPU "
        f"{setup['gen_cpu']}, the receiver's XDP in its softirq;",
        "rate = frames / the generator's CPU time; ratio to the empty XDP_DROP of the same round.",
        "",
        f"{'':32}" + "".join(f"{name:>22}" for _, name in patterns),
    ]
    for name in names:
        line = f"{name:32}"
        for p, _ in patterns:
            r = by.get((p, name))
            line += f"{r['pps'] / 1e6:10.2f} Mpps {r['ratio']:5.3f}x" if r else f"{'':22}"
        out.append(line)
    targets = [(r["pattern_name"], r["target"], r["met"]) for r in one if "target" in r]
    out.append("Targets, tcpdrop-top with defaults: " + "; ".join(
        f"{p} {t}: {met_word(m)}" for p, t, m in targets) + ".")
    inexact = [r["name"] for r in one if r.get("totals_exact") is False]
    out.append("Totals exact (dropped = frames sent, over every run): " +
               ("yes." if not inexact else "NO for " + ", ".join(inexact) + "."))
    out.append("Where a frame's time goes: ns a frame over the empty program's, each row's median "
               "(a row's parts are the one above's and more; about +-1 ns of noise):")
    for p, pname in patterns:
        base = by.get((p, names[0]))
        steps = [f"{name} {by[(p, name)]['ns_per_frame'] - base['ns_per_frame']:+.1f}"
                 for name in names[1:] if (p, name) in by]
        out.append(f"  {pname:22} empty {base['ns_per_frame']:.1f} ns; " + ", ".join(steps))
    if exact:
        top = exact.get("top") or []
        out += ["", f"Exact counts, the mixed flood ({thousands(exact['frames'])} frames) into "
                "tcpdrop-top's own loop and model: top 10 the 10 heavy sources with",
                "exactly the frames each sent "
                f"({thousands(top[0]['drops']) if top else '?'} each): "
                f"{'yes' if exact['top10_are_the_heavy_ones_exactly'] else 'NO'}; dropped "
                f"{thousands(exact['dropped'] or 0)} = in rows "
                f"{thousands(exact['rows_drops'] or 0)}"
                f" + not tracked {thousands(exact['untracked'] or 0)}: "
                f"{'yes' if exact['untracked_is_the_rest'] and exact['dropped_exact'] else 'NO'}."]
    if two:
        out += ["", "Two CPUs: the generator on CPU 0, the receiver's NAPI in a thread of its own "
                "on CPU 1 (FIFO 50), so that every packet read",
                "is another CPU's cache line: the receiver's CPU time a frame, its ratio to the "
                "empty program's, and frames reached / wall time.",
                f"{'':46}{'receiver ns':>12} {'ratio':>6} {'reached/s':>12}"]
        for r in two:
            out.append(f"{r['pattern_name'] + ', ' + r['name']:46.46}{r['ns_per_frame']:12.1f} "
                       f"{r['ratio']:5.3f}x {thousands(r['pps_wall']):>12}")
    if queues:
        out += ["", "Two queues, a generator on each CPU, each CPU dropping its queue's frames, "
                "2^20 sources (frames / wall time):"]
        for r in queues:
            out.append(f"  {r['name']:30} {thousands(r['pps_wall']):>12}/s {r['ratio']:5.3f}x"
                       f"   frames per queue {r['per_queue_last_run']}")
    return out


def main():
    rows_path, out_path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    rows = []
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))

    def section(name):
        return [r for r in rows if r.get("section") == name]

    def setup(name):
        found = section(name)
        return found[0] if found else None

    packet, parts, flood = section("packet"), section("breakdown"), section("flood")
    linerate, linerate_setup = section("linerate"), setup("linerate-setup")
    linerate_exact, linerate_queues = setup("linerate-exact"), section("linerate-queues")
    formatter, bigtable, lists = setup("formatter"), setup("bigtable"), setup("lists")
    packet_setup, flood_setup = setup("packet-setup"), setup("flood-setup")
    for r in flood:
        r["ns_per_packet"] = round(1e9 / r["pps_median"]) if r["pps_median"] else 0
        if "targets" in r:
            r["met"] = all(r["targets"].values())
    for r in rows:
        r.pop("section", None)

    report = {
        "machine": machine(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(seconds),
        "per_packet": {"setup": packet_setup, "rows": packet},
        "breakdown": parts,
        "linerate": {"setup": linerate_setup, "rows": linerate, "exact": linerate_exact,
                     "queues": linerate_queues},
        "flood": {"setup": flood_setup, "rows": flood},
        "formatter": formatter,
        "bigtable": bigtable,
        "lists": lists,
        "notes": [
            "The printk baseline's numbers include its trace-buffer writes (tracing on, the "
            "bpf_trace_printk event enabled as the kernel enables it; put back afterwards).",
            "BPF_PROG_TEST_RUN reports whole nanoseconds: ratios of small numbers move in steps.",
            "Drained every 10 ms, the ring holds 5.8 million events a second; "
            "BPF_PROG_TEST_RUN drops faster, so some reserves fail there (events_lost_pct).",
            "Flood ratios are medians of each round's ratio to the empty program's run in the "
            "same round. trafgen runs at nice -20 (-H) so that the rest of the machine disturbs "
            "the flood as little as possible; the consumer runs as the tool does, at nice 0.",
            "Line rate on one CPU: the rate is over the generator thread's own CPU time, which "
            "counts the receiver's XDP (in its softirq) but not time the CPU gave other work, "
            "nor a hypervisor's steal; the generator runs at nice -20.",
            "Flood CPU: utime + stime in 10 ms ticks over a flood of a second or two, so about "
            "1% resolution.",
        ],
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")

    m = report["machine"]
    lines = [f"make bench: {m['nproc']} x {m['cpu']}, Linux {m['kernel']}", ""]
    if packet:
        lines += per_packet_table(packet, report["per_packet"]["setup"]) + [""]
        lines += ["The printk numbers include the trace-buffer writes (bpf_trace_printk)."]
        lines += [""] + breakdown_table(parts) + [""]
    if linerate:
        lines += linerate_tables(linerate, linerate_exact, linerate_queues, linerate_setup) + [""]
    if flood:
        lines += flood_table(flood, report["flood"]["setup"]) + [""]
    if bigtable:
        lines += [f"1,000,000 sources in a 4M table: idle TUI {bigtable['cpu_pct']}% CPU, "
                  f"RSS {bigtable['rss_kb'] // 1024} MiB (by network, g: "
                  f"{bigtable.get('cpu_pct_by_network')}% CPU, "
                  f"RSS {bigtable.get('rss_kb_by_network', 0) // 1024} MiB), "
                  f"a key shown in {bigtable['key_ms']} ms, "
                  f"q in {bigtable['quit_ms']} ms; --json lost {bigtable['lost']} of "
                  f"{bigtable['dropped']} events", ""]
    if formatter:
        lines += [f"NDJSON formatter, one core, into /dev/null: "
                  f"{thousands(formatter['lines_per_s'])} drop lines a second "
                  f"(target {formatter['target']}: {met_word(formatter['met'])})", ""]
    if lists:
        lines += [f"{lists['lines']:,}-line --except-file: {lists['load_ms']} ms to read and load "
                  f"(start {lists['start_ms']} ms, {lists['start_ms_without']} ms without), "
                  f"a reload to another such list {lists['reload_ms']} ms", ""]
    lines += [f"{out_path}: the same figures as JSON. Took {seconds:.0f} s."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
