//! The sandbox proof of `xsk-flowtop`: every count the program and the workers made, checked
//! against the plan of what was sent.

use std::collections::{BTreeMap, HashMap as StdHashMap};
use std::net::Ipv4Addr;

use xsk_examples::signals::Stop;
use xsk_examples::{Error, Result};

use super::{key_of, key_text, FlowKey, FlowPlan, FlowValue, Shared, KIND_NEW_FLOW, KIND_SAMPLE};

/// Totals the proof checks besides the per-flow ones.
pub(crate) struct Counts {
    pub(crate) sent: u64,
    pub(crate) bad_events: u64,
    pub(crate) lost: u64,
    pub(crate) drops: u64,
    /// The AF_XDP port.
    pub(crate) port: u16,
    /// N of the 1-in-N sampling (0: none).
    pub(crate) sample: u64,
    /// Packets each CPU counted for sampling (`OTHER[2]` per CPU).
    pub(crate) per_cpu_counted: Vec<u64>,
    /// Events the full ring buffer refused (`OTHER[3]`).
    pub(crate) ring_full: u64,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn prove(
    plan: &[FlowPlan],
    counts: &Counts,
    left: Ipv4Addr,
    right: Ipv4Addr,
    map: &BTreeMap<FlowKey, FlowValue>,
    sampled: &[(FlowKey, u64, u32)],
    shared: &Shared,
    stop: &Stop,
) -> Result<()> {
    let Counts {
        sent,
        bad_events,
        lost,
        drops,
        port,
        sample,
        ref per_cpu_counted,
        ring_full,
    } = *counts;
    let d = shared.delivered.lock().unwrap_or_else(|e| e.into_inner());
    let planned: u64 = plan.iter().map(|f| f.packets).sum();
    let mut failures: Vec<String> = Vec::new();
    if sent != planned {
        failures.push(format!("sent {sent} of {planned} datagrams"));
    }
    let mut events: StdHashMap<FlowKey, Vec<u64>> = StdHashMap::new();
    let mut samples: StdHashMap<FlowKey, Vec<u64>> = StdHashMap::new();
    let mut bad_kind = 0u64;
    for (k, len, kind) in sampled {
        match *kind {
            KIND_NEW_FLOW => events.entry(*k).or_default().push(*len),
            KIND_SAMPLE => samples.entry(*k).or_default().push(*len),
            _ => bad_kind += 1,
        }
    }
    // The sampling: each CPU sends its N-th, 2N-th, ... packet, so exactly
    // floor(counted / N) per CPU; and the CPUs together counted every packet in the map.
    let counted: u64 = per_cpu_counted.iter().sum();
    let in_map: u64 = map.values().map(|v| v[0]).sum();
    if counted != in_map {
        failures.push(format!(
            "the sampling counters saw {counted} packets, the flow map holds {in_map}"
        ));
    }
    let want_samples: u64 = match sample {
        0 => 0,
        n => per_cpu_counted.iter().map(|c| c / n).sum(),
    };
    let got_samples: u64 = samples.values().map(|v| v.len() as u64).sum();
    if got_samples != want_samples {
        failures.push(format!(
            "{got_samples} sampled packets read, want {want_samples} (1 in {sample} of \
             {per_cpu_counted:?} per CPU)"
        ));
    }
    if bad_kind > 0 {
        failures.push(format!("{bad_kind} events of an unknown kind"));
    }
    if ring_full > 0 {
        failures.push(format!("{ring_full} events found the ring buffer full"));
    }
    let mut samples_ok = 0u64;
    let (mut flows_ok, mut events_ok, mut xsk_ok) = (0, 0, 0);
    let (mut xsk_pkts, mut xsk_bytes) = (0u64, 0u64);
    for f in plan {
        let key = key_of(right, left, f.sport, f.dport);
        let want = [f.packets, f.packets * f.frame_len()];
        match map.get(&key) {
            Some(v) if *v == want => flows_ok += 1,
            got => failures.push(format!(
                "flow {}: map has {got:?}, sent [packets, bytes] {want:?}",
                key_text(&key)
            )),
        }
        match events.get(&key).map(Vec::as_slice) {
            Some([len]) if *len == f.frame_len() => events_ok += 1,
            got => failures.push(format!(
                "flow {}: sampled events {got:?}, want one of length {}",
                key_text(&key),
                f.frame_len()
            )),
        }
        let got = d.per_sport.get(&f.sport).copied().unwrap_or_default();
        let want = if f.dport == port {
            (want[0], want[1])
        } else {
            (0, 0)
        };
        if got == want {
            xsk_ok += 1;
        } else {
            failures.push(format!(
                "flow {}: AF_XDP delivered {got:?}, want {want:?}",
                key_text(&key)
            ));
        }
        xsk_pkts += got.0;
        xsk_bytes += got.1;
        // Every sample of this flow has its packets' length; no more samples than packets.
        if let Some(lens) = samples.remove(&key) {
            if lens.len() as u64 <= f.packets && lens.iter().all(|&l| l == f.frame_len()) {
                samples_ok += lens.len() as u64;
            } else {
                failures.push(format!(
                    "flow {}: {} samples, lengths {:?}; it sent {} packets of {} bytes",
                    key_text(&key),
                    lens.len(),
                    &lens[..lens.len().min(4)],
                    f.packets,
                    f.frame_len()
                ));
            }
        }
    }
    // Samples of flows outside the plan must at least name a flow of the map.
    for (k, lens) in &samples {
        if map.contains_key(k) {
            samples_ok += lens.len() as u64;
        } else {
            failures.push(format!(
                "{} samples of {}, a flow the map does not have",
                lens.len(),
                key_text(k)
            ));
        }
    }
    // Flows of the sender's address that the plan does not have (the map also holds flows of
    // other traffic in the namespace, if any: those are shown, not judged).
    let ours: Vec<FlowKey> = plan
        .iter()
        .map(|f| key_of(right, left, f.sport, f.dport))
        .collect();
    let extra: Vec<String> = map
        .keys()
        .filter(|k| k[3] == 17 && !ours.contains(k))
        .map(key_text)
        .collect();
    if !extra.is_empty() {
        failures.push(format!("UDP flows nobody sent: {extra:?}"));
    }
    if d.unexpected > 0 {
        failures.push(format!(
            "{} other packets reached the AF_XDP sockets",
            d.unexpected
        ));
    }
    if bad_events > 0 {
        failures.push(format!("{bad_events} events of the wrong size"));
    }
    if drops > 0 {
        failures.push(format!(
            "the kernel dropped {drops} packets on the AF_XDP sockets"
        ));
    }
    if lost > 0 {
        failures.push(format!("{lost} packets found the flow map full"));
    }
    println!("--- proof ---");
    println!(
        "datagrams sent:                     {sent} over {} flows",
        plan.len()
    );
    println!(
        "flows in the map, packets and bytes exact: {flows_ok} of {}",
        plan.len()
    );
    println!(
        "new-flow events (ring buffer):      {} ({events_ok} flows with exactly one, of the right length)",
        events.values().map(Vec::len).sum::<usize>()
    );
    println!(
        "sampled packets (1 in {sample} per CPU): {got_samples} of {want_samples} due from {counted} packets counted per CPU {per_cpu_counted:?} ({samples_ok} naming their flow and length)"
    );
    println!("AF_XDP deliveries:                  {xsk_pkts} packets, {xsk_bytes} bytes ({xsk_ok} of {} flows exact)", plan.len());
    println!("kernel drops on the AF_XDP sockets: {drops}");
    if failures.is_empty() && !stop.is_set() {
        println!(
            "PROOF OK: every flow's packets and bytes, one new-flow event per flow, exactly every {sample}-th packet per CPU sampled, and every UDP datagram to port {port} on AF_XDP (and nothing else) match what was sent"
        );
        Ok(())
    } else {
        println!("PROOF FAILED");
        for f in failures.iter().take(20) {
            println!("  {f}");
        }
        Err(Error::Failed(if stop.is_set() {
            "interrupted before the proof was complete".into()
        } else {
            format!("{} mismatches (see above)", failures.len())
        }))
    }
}
