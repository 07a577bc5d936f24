//! How long each node spent in provider operations, and the longest dependency chain by
//! that measure: the critical path, the lower bound on an apply's wall time that no amount
//! of parallelism beats. Benchmarks print it beside the measured time (`hubctl::timing`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

tokio::task_local! {
    /// The node whose evaluation the current task is running.
    static NODE: usize;
}

/// Runs `fut` as node `n`'s evaluation, so operations inside it are charged to `n`.
pub(crate) async fn as_node<F: std::future::Future>(n: usize, fut: F) -> F::Output {
    NODE.scope(n, fut).await
}

/// Time in provider operations per node. A node's instances run side by side, so a node
/// is charged its longest operation, not their sum.
#[derive(Default)]
pub struct Busy(Mutex<HashMap<usize, Duration>>);

impl Busy {
    /// Charges `elapsed` to the running node (nothing outside a node's evaluation).
    pub(crate) fn record(&self, elapsed: Duration) {
        let Ok(n) = NODE.try_with(|n| *n) else { return };
        if let Ok(mut m) = self.0.lock() {
            let slot = m.entry(n).or_default();
            *slot = (*slot).max(elapsed);
        }
    }

    pub(crate) fn take(&self) -> HashMap<usize, Duration> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The chain of nodes, each depending on the one before, with the greatest total busy time;
/// `deps` must be acyclic (the executor's input is).
pub fn critical_path(
    deps: &[Vec<usize>],
    busy: &HashMap<usize, Duration>,
) -> (Duration, Vec<usize>) {
    let n = deps.len();
    // best[i]: the heaviest chain ending at i; via[i]: its previous node.
    let mut best: Vec<Option<Duration>> = vec![None; n];
    let mut via: Vec<Option<usize>> = vec![None; n];
    for start in 0..n {
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if best[i].is_some() {
                continue;
            }
            if !expanded {
                stack.push((i, true));
                stack.extend(
                    deps[i]
                        .iter()
                        .filter(|d| best[**d].is_none())
                        .map(|&d| (d, false)),
                );
                continue;
            }
            let prev = deps[i]
                .iter()
                .copied()
                .max_by_key(|d| best[*d].unwrap_or_default());
            let before = prev.and_then(|p| best[p]).unwrap_or_default();
            best[i] = Some(before + busy.get(&i).copied().unwrap_or_default());
            via[i] = prev;
        }
    }
    let Some(end) = (0..n).max_by_key(|i| best[*i].unwrap_or_default()) else {
        return (Duration::ZERO, Vec::new());
    };
    let mut chain = vec![end];
    while let Some(p) = via[*chain.last().unwrap_or(&end)] {
        chain.push(p);
    }
    chain.reverse();
    chain.retain(|i| busy.contains_key(i));
    (best[end].unwrap_or_default(), chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_heaviest_chain_wins_over_the_longest() {
        // 0 -> 1 -> 2 (1+1+1 ms) against 0 -> 3 (1+10 ms); 4 stands alone (5 ms).
        let deps = vec![vec![], vec![0], vec![1], vec![0], vec![]];
        let busy = HashMap::from([(0, ms(1)), (1, ms(1)), (2, ms(1)), (3, ms(10)), (4, ms(5))]);
        assert_eq!(critical_path(&deps, &busy), (ms(11), vec![0, 3]));
    }

    #[test]
    fn nodes_without_operations_carry_the_chain_but_are_not_listed() {
        // 0 (op) -> 1 (a local, no op) -> 2 (op).
        let deps = vec![vec![], vec![0], vec![1]];
        let busy = HashMap::from([(0, ms(2)), (2, ms(3))]);
        assert_eq!(critical_path(&deps, &busy), (ms(5), vec![0, 2]));
        assert_eq!(
            critical_path(&[], &HashMap::new()),
            (Duration::ZERO, vec![])
        );
    }

    #[tokio::test]
    async fn operations_are_charged_to_their_node_and_only_the_longest_counts() {
        let busy = Busy::default();
        as_node(7, async {
            busy.record(ms(3));
            busy.record(ms(9));
            busy.record(ms(4));
        })
        .await;
        busy.record(ms(100)); // outside any node: not charged
        assert_eq!(busy.take(), HashMap::from([(7, ms(9))]));
    }
}
