"""Pre-copy migration durations under SimGrid's network models (LV08, CM02), for drainsim's grid
(docs/migration-model.md, "Against SimGrid"). Each round sends x_j bytes over one link; the guest
dirties r * t_j; converge when d <= 0.3 s at the measured rate; the pause sends d. Cross-traffic is
off: a full-duplex NIC carries the TCP acknowledgements the other way.
Usage: simgrid_precopy.py MODEL MEMORY_GIB LINK_GBPS DIRTY_PERCENT_OF_LINK"""
import sys, json
from simgrid import Actor, Engine, Mailbox, LinkInRoute

def run(model, mem_gib, gbps, dirty_pct):
    e = Engine(["sg", f"--cfg=network/model:{model}", "--cfg=network/crosstraffic:0", "--log=root.thres:critical"])
    zone = e.netzone_root.add_netzone_full("z")
    a = zone.add_host("a", 1e9); b = zone.add_host("b", 1e9)
    link = zone.add_link("l", gbps * 1e9 / 8).set_latency(1e-5).seal()
    zone.add_route(a, b, [LinkInRoute(link)], True)
    zone.seal()
    nominal = gbps * 1e9 / 8
    r = int(nominal) * dirty_pct // 100
    W = mem_gib << 30
    result = {}
    def sender():
        mb = Mailbox.by_name("m")
        x = W; start = Engine.clock; rounds = 0
        while True:
            rounds += 1
            t0 = Engine.clock
            mb.put(int(x), int(x))
            t = Engine.clock - t0
            d = int(min(W, r * t))
            rate = x / t
            if d <= rate * 0.3:
                t1 = Engine.clock
                if d > 0: mb.put(d, int(d))
                result.update(duration=Engine.clock - start, pause=Engine.clock - t1, rounds=rounds)
                return
            if rounds > 2000:
                result.update(duration=None); return
            x = d
    def receiver():
        mb = Mailbox.by_name("m")
        while "duration" not in result:
            try: mb.get()
            except Exception: return
    Actor.create("s", a, sender)
    Actor.create("r", b, receiver).daemonize()
    e.run()
    return result

if __name__ == "__main__":
    model, mem, gbps, pct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(model, mem, gbps, pct)))
