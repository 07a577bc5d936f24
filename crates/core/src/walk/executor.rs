//! The DAG executor: starts every node the moment all the nodes it waits for are done (no
//! level-by-level barriers). A failed node skips everything that depends on it, directly or
//! not, while independent branches go on. Resource operations bound themselves with the
//! run's semaphore (`--parallelism`); cheap nodes (locals, outputs) never wait for a slot.
//!
//! Heavy nodes (resources) are spawned at most `max_heavy` at a time, the rest wait in a
//! FIFO queue: a spawned task holds its whole future (kilobytes), and 10,000 ready
//! resources spawned at once would all sit in memory waiting for the semaphore.

use std::collections::VecDeque;
use std::future::Future;
use tokio::task::JoinSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    /// Not run because a dependency failed.
    Skipped,
}

/// How many nodes may run at once: `heavy(i)` nodes are bounded by `max_heavy` (at least
/// 1), the others are never held back.
#[derive(Debug, Clone, Copy)]
pub struct Limits<H> {
    pub heavy: H,
    pub max_heavy: usize,
}

/// No node is heavy: everything ready starts at once.
pub fn unlimited() -> Limits<fn(usize) -> bool> {
    Limits {
        heavy: |_| false,
        max_heavy: usize::MAX,
    }
}

/// Runs `deps.len()` nodes; `run(i)` starts node i and resolves to whether it succeeded;
/// `done(i, ok)` is called on the coordinator (one place) as each finishes.
pub async fn execute<F, Fut, H>(
    deps: &[Vec<usize>],
    run: F,
    mut done: impl FnMut(usize, bool),
    limits: Limits<H>,
) -> Vec<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
    H: Fn(usize) -> bool,
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
    let max_heavy = limits.max_heavy.max(1);
    let mut heavy_running = 0;
    let mut queued: VecDeque<usize> = VecDeque::new();
    let mut set = JoinSet::new();
    let spawn = |i: usize, set: &mut JoinSet<(usize, bool)>| {
        let f = run(i);
        set.spawn(async move { (i, f.await) });
    };
    let mut newly_ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    loop {
        for i in newly_ready.drain(..) {
            if (limits.heavy)(i) {
                queued.push_back(i);
            } else {
                spawn(i, &mut set);
            }
        }
        while heavy_running < max_heavy {
            let Some(i) = queued.pop_front() else { break };
            heavy_running += 1;
            spawn(i, &mut set);
        }
        let Some(res) = set.join_next().await else {
            break;
        };
        let (i, ok) = match res {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        if (limits.heavy)(i) {
            heavy_running -= 1;
        }
        done(i, ok);
        if ok {
            outcome[i] = Some(Outcome::Done);
            for &j in &dependents[i] {
                waiting[j] -= 1;
                if waiting[j] == 0 && outcome[j].is_none() {
                    newly_ready.push(j);
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
            unlimited(),
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
            unlimited(),
        )
        .await;
        assert_eq!(*finished.lock().unwrap(), vec![1, 2, 0]);
    }

    #[tokio::test]
    async fn bounds_heavy_nodes_but_never_holds_back_light_ones() {
        // 0..6 heavy and independent, at most 2 at a time; 6 light, depends on nothing.
        let deps = vec![vec![]; 7];
        let live = Arc::new(Mutex::new((0usize, 0usize)));
        let order = Arc::new(Mutex::new(Vec::new()));
        let (l, o) = (live.clone(), order.clone());
        let out = execute(
            &deps,
            move |i| {
                let (l, o) = (l.clone(), o.clone());
                async move {
                    if i < 6 {
                        {
                            let mut g = l.lock().unwrap();
                            g.0 += 1;
                            g.1 = g.1.max(g.0);
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        l.lock().unwrap().0 -= 1;
                    }
                    o.lock().unwrap().push(i);
                    true
                }
            },
            |_, _| {},
            Limits {
                heavy: |i| i < 6,
                max_heavy: 2,
            },
        )
        .await;
        assert!(out.iter().all(|o| *o == Outcome::Done));
        assert_eq!(live.lock().unwrap().1, 2);
        // The light node finished before the queued heavy ones had a turn.
        assert_eq!(order.lock().unwrap()[0], 6);
    }
}
