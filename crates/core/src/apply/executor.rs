//! The DAG executor: starts every node the moment all the nodes it waits for are done (no
//! level-by-level barriers). A failed node skips everything that depends on it, directly or
//! not, while independent branches go on. Resource operations bound themselves with the
//! run's semaphore (`--parallelism`); cheap nodes (locals, outputs) never wait for a slot.

use std::future::Future;
use tokio::task::JoinSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    /// Not run because a dependency failed.
    Skipped,
}

/// Runs `deps.len()` nodes; `run(i)` starts node i and resolves to whether it succeeded;
/// `done(i, ok)` is called on the coordinator (one place) as each finishes.
pub async fn execute<F, Fut>(
    deps: &[Vec<usize>],
    run: F,
    mut done: impl FnMut(usize, bool),
) -> Vec<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let n = deps.len();
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut outcome: Vec<Option<Outcome>> = vec![None; n];
    let mut set = JoinSet::new();
    for i in (0..n).filter(|&i| waiting[i] == 0) {
        let f = run(i);
        set.spawn(async move { (i, f.await) });
    }
    while let Some(res) = set.join_next().await {
        let (i, ok) = match res {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        done(i, ok);
        if ok {
            outcome[i] = Some(Outcome::Done);
            for &j in &dependents[i] {
                waiting[j] -= 1;
                if waiting[j] == 0 && outcome[j].is_none() {
                    let f = run(j);
                    set.spawn(async move { (j, f.await) });
                }
            }
        } else {
            outcome[i] = Some(Outcome::Failed);
            let mut stack = dependents[i].clone();
            while let Some(j) = stack.pop() {
                if outcome[j].is_none() {
                    outcome[j] = Some(Outcome::Skipped);
                    stack.extend(dependents[j].iter().copied());
                }
            }
        }
    }
    outcome
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Skipped))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn runs_in_dependency_order_and_skips_dependents_of_failures() {
        // 0 <- 1 <- 2 ; 3 independent ; 1 fails
        let deps = vec![vec![], vec![0], vec![1], vec![]];
        let order = Arc::new(Mutex::new(Vec::new()));
        let o = order.clone();
        let out = execute(
            &deps,
            move |i| {
                let o = o.clone();
                async move {
                    o.lock().unwrap().push(i);
                    i != 1
                }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(
            out,
            vec![
                Outcome::Done,
                Outcome::Failed,
                Outcome::Skipped,
                Outcome::Done
            ]
        );
        let order = order.lock().unwrap();
        assert!(order.iter().position(|&x| x == 0) < order.iter().position(|&x| x == 1));
        assert!(!order.contains(&2));
    }

    #[tokio::test]
    async fn starts_a_node_as_soon_as_its_own_inputs_are_done() {
        // 0 is slow; 1 is fast; 2 depends only on 1 and must finish before 0 does.
        let deps = vec![vec![], vec![], vec![1]];
        let finished = Arc::new(Mutex::new(Vec::new()));
        let f = finished.clone();
        execute(
            &deps,
            move |i| {
                let f = f.clone();
                async move {
                    if i == 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                    f.lock().unwrap().push(i);
                    true
                }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(*finished.lock().unwrap(), vec![1, 2, 0]);
    }
}
