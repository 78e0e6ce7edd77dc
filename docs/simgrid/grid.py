import subprocess, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drainsim_grid import run as ds
env = dict(os.environ)
def sg(model, mem, gbps, pct, extra=""):
    out = subprocess.run(["python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "simgrid_precopy.py"), model, str(mem), str(gbps), str(pct)] + ([extra] if extra else []),
                         capture_output=True, text=True, env=env, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])
print("case | drainsim 97% | SimGrid LV08 | diff | drainsim 100% | SimGrid CM02 | diff")
for mem in [2, 8, 32]:
    for gbps in [1, 10]:
        for pct in [0, 30, 90]:
            a = ds(mem, gbps, pct); b = sg("LV08", mem, gbps, pct)
            c = ds(mem, gbps, pct, "100%"); d = sg("CM02", mem, gbps, pct)
            f = lambda x, y: f"{(x[0] / y['duration'] - 1) * 100:+.1f}%" if x and y.get('duration') else "n/a"
            print(f"{mem} GiB {gbps} Gbit/s dirty {pct}% | {a[0] if a else None} s ({a[1] if a else '-'} r) | {b.get('duration') and round(b['duration'],3)} s ({b.get('rounds')} r) | {f(a,b)} | {c[0] if c else None} s | {d.get('duration') and round(d['duration'],3)} s | {f(c,d)}")
