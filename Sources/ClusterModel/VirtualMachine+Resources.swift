private let mebibyte: Int64 = 1 << 20

extension VirtualMachine {
    /// virt-launcher pod memory request: guest memory plus KubeVirt's overhead (reference §4.4,
    /// `GetMemoryOverhead`): RAM/512 for page tables, 25 Mi monitor + 100 Mi launcher + 25 Mi virtlogd
    /// + 40 Mi virtqemud + 50 Mi QEMU, 8 Mi per vCPU, 8 Mi IOThread, 32 Mi video, 1 Gi with VFIO devices.
    public var launcherMemoryRequestBytes: Int64 {
        var overhead = memoryBytes / 512 + (25 + 100 + 25 + 40 + 50) * mebibyte
        overhead += 8 * mebibyte * cpuCores + 8 * mebibyte + 32 * mebibyte
        if !hostDevices.isEmpty { overhead += 1024 * mebibyte }
        return memoryBytes + overhead
    }

    /// virt-launcher pod CPU request: vCPUs / cpuAllocationRatio (default 10 → 100m per vCPU) unless set.
    public var launcherCPURequestMillis: Int64 { cpuRequestMillis ?? cpuCores * 100 }
}
