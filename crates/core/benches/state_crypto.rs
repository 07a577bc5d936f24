//! Encrypted save and load of a 10,000-resource state, network excluded: serialize + seal
//! (save) and open + parse (load) with the StaticKey provider. Run with
//! `cargo bench -p hubctl-core --bench state_crypto`; the goal is <= 100 ms each.

use hubctl_core::state::conformance::sample_instance;
use hubctl_core::state::crypto::{open, seal, Binding, StaticKey};
use hubctl_core::state::{State, StateOp};
use std::time::{Duration, Instant};

const RESOURCES: usize = 10_000;
const ROUNDS: usize = 10;

fn big_state() -> State {
    let mut s = State::new();
    for i in 0..RESOURCES {
        let mut inst = sample_instance(&format!("subnet-{i:08x}"));
        inst.attributes["cidr_block"] = format!("10.{}.{}.0/24", i / 256, i % 256).into();
        s.apply_op(&StateOp::SetInstance {
            address: format!("module.vpc.aws_subnet.this[{i}]"),
            instance: inst,
        });
    }
    s
}

fn median(mut xs: Vec<Duration>) -> f64 {
    xs.sort();
    xs[xs.len() / 2].as_secs_f64() * 1000.0
}

// A benchmark reports its timings to whoever runs it, not to a hubctl user: the one-printer
// rule of clippy.toml is for the CLI.
#[allow(clippy::disallowed_macros)]
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let key = StaticKey::new("bench", [7; 32]);
    let state = big_state();
    let binding = Binding {
        location: "s3://bench/hub.hubstate".into(),
        lineage: state.lineage.clone(),
    };
    let (mut saves, mut loads) = (Vec::new(), Vec::new());
    let mut size = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let sealed = rt
            .block_on(seal(&state.encode(), &key, &binding))
            .expect("seal");
        saves.push(t.elapsed());
        size = sealed.len();
        let t = Instant::now();
        let (plain, _) = rt
            .block_on(open(&sealed, &[&key], &binding.location))
            .expect("open");
        let back = State::decode(&plain, &binding.location).expect("decode");
        loads.push(t.elapsed());
        assert_eq!(back.resources.len(), RESOURCES);
    }
    println!(
        "state_crypto: {RESOURCES} resources, {:.1} MB sealed; median of {ROUNDS}: \
         save (encode + seal) {:.1} ms, load (open + decode) {:.1} ms (goal <= 100 ms each)",
        size as f64 / 1e6,
        median(saves),
        median(loads)
    );
}
