import json, subprocess, sys, tempfile, os
BIN = os.environ.get("DRAINSIM", ".build/release/drainsim")
def run(mem, gbps, pct, efficiency="97%"):
    rate = gbps * 1_000_000_000 // 8 * pct // 100
    yaml = f"""stopAt: 12h
cluster: {{migrationLinkEfficiency: "{efficiency}", liveMigration: {{completionTimeoutPerGiB: 100000}}}}
nodes: [{{name: "w-{{i}}", count: 2, cpu: "64", memory: 256Gi, migrationLink: {gbps}Gbps}}]
persistentVolumeClaims: [{{name: d, size: 10Gi, accessModes: [ReadWriteMany]}}]
vms: [{{name: v, cpu: 2, memory: {mem}Gi, dirtyRate: "{rate}", runStrategy: Always, node: w-0, volumes: [{{persistentVolumeClaim: {{claimName: d}}}}]}}]
timeline: [{{at: 0s, migrate: v}}]
"""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(yaml); path = f.name
    out = subprocess.run([BIN, "run", path, "--json"], capture_output=True, text=True)
    os.unlink(path)
    d = json.loads(out.stdout)
    m = d["vms"][0]["migrations"][0]
    if m["phase"] != "Succeeded": return None
    return (m["endedAtMs"] - m["transferStartedAtMs"]) / 1000, m["rounds"]
if __name__ == "__main__":
    print(run(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "97%"))
