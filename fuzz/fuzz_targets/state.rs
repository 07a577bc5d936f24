//! The state decoders: hubctl's JSON state, Terraform's (as `state import` reads it) and the
//! sealed envelope. The input is tried as each; it is also sealed under a fixed key and
//! opened again, so the decoder behind a valid envelope (and the lineage check) runs on
//! fuzzed plaintext too, which a fuzzer could never reach by forging the tag.
#![no_main]

use hubctl_core::state::crypto::{self, Binding, KeyProvider, StaticKey};
use hubctl_core::state::terraform::from_terraform;
use hubctl_core::state::State;
use libfuzzer_sys::fuzz_target;

const LOCATION: &str = "s3://bucket/hub.tfstate";

fn exercise(state: &State) {
    let again = State::decode(&state.encode(), "re-encoded").expect("an encoded state decodes");
    assert_eq!(again.resources.len(), state.resources.len());
    for o in state.outputs.values() {
        let _ = o.ty();
        let _ = o.value();
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(state) = State::decode(data, "fuzz.tfstate") {
        exercise(&state);
    }
    if let Ok(imported) = from_terraform(data, "terraform.tfstate", &|_| true) {
        exercise(&imported.state);
    }
    let _ = crypto::parse(data, LOCATION);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let key = StaticKey::new("fuzz", [7; 32]);
    let keys: [&dyn KeyProvider; 1] = [&key];
    rt.block_on(async {
        let _ = crypto::open_state(data, &keys, LOCATION).await;
        let binding = Binding {
            location: LOCATION.to_string(),
            lineage: "fuzz-lineage".to_string(),
        };
        let sealed = crypto::seal(data, &key, &binding)
            .await
            .expect("sealing never fails");
        if let Ok(state) = crypto::open_state(&sealed, &keys, LOCATION).await {
            assert_eq!(state.lineage, binding.lineage);
        }
    });
});
