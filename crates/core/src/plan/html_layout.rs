//! Where each node of the plan's graph goes: columns by dependency depth (a resource sits
//! right of everything it depends on, so the page reads in apply order), rows ordered by
//! the mean row of each node's dependencies (a few sweeps of the barycenter heuristic) to
//! keep edges short. Enough for the hundreds of resources of a hub; no external layout tool.

/// A node's cell: its column (dependency depth) and row within the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub column: usize,
    pub row: usize,
}

/// The cells of `deps.len()` nodes, where `deps[n]` are the nodes `n` depends on. A cycle
/// (refused before a plan exists) would only put its nodes in one column.
pub fn layout(deps: &[Vec<usize>]) -> Vec<Cell> {
    let column = depths(deps);
    let columns = column.iter().max().map_or(0, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (n, c) in column.iter().enumerate() {
        order[*c].push(n);
    }
    let mut row = vec![0usize; deps.len()];
    let set_rows = |order: &Vec<Vec<usize>>, row: &mut Vec<usize>| {
        for col in order {
            for (r, n) in col.iter().enumerate() {
                row[*n] = r;
            }
        }
    };
    set_rows(&order, &mut row);
    for _ in 0..4 {
        for col in order.iter_mut().skip(1) {
            let key = |n: &usize| -> (u64, usize) {
                let ds = &deps[*n];
                if ds.is_empty() {
                    return (u64::MAX, *n);
                }
                let sum: usize = ds.iter().map(|d| row[*d]).sum();
                ((sum as u64 * 1000) / ds.len() as u64, *n)
            };
            col.sort_by_key(key);
            for (r, n) in col.iter().enumerate() {
                row[*n] = r;
            }
        }
    }
    set_rows(&order, &mut row);
    (0..deps.len())
        .map(|n| Cell {
            column: column[n],
            row: row[n],
        })
        .collect()
}

/// Each node's depth: 0 without dependencies, else one more than its deepest dependency.
pub fn depths(deps: &[Vec<usize>]) -> Vec<usize> {
    let mut depth: Vec<Option<usize>> = vec![None; deps.len()];
    for start in 0..deps.len() {
        // Iterative post-order, so a long chain does not overflow the stack.
        let mut stack = vec![(start, false)];
        let mut on_path = vec![false; deps.len()];
        while let Some((n, expanded)) = stack.pop() {
            if depth[n].is_some() {
                continue;
            }
            if expanded {
                on_path[n] = false;
                let d = deps[n].iter().filter_map(|d| depth[*d]).max();
                depth[n] = Some(d.map_or(0, |d| d + 1));
                continue;
            }
            on_path[n] = true;
            stack.push((n, true));
            for &d in &deps[n] {
                if depth[d].is_none() && !on_path[d] {
                    stack.push((d, false));
                }
            }
        }
    }
    depth.into_iter().map(|d| d.unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_sit_left_of_their_dependents() {
        // 0 <- 1 <- 2, 0 <- 3, and 4 alone.
        let deps = vec![vec![], vec![0], vec![1], vec![0], vec![]];
        let cells = layout(&deps);
        assert_eq!(
            cells.iter().map(|c| c.column).collect::<Vec<_>>(),
            [0, 1, 2, 1, 0]
        );
        for (n, ds) in deps.iter().enumerate() {
            for d in ds {
                assert!(cells[*d].column < cells[n].column);
            }
        }
        // No two nodes share a cell.
        let mut seen = std::collections::HashSet::new();
        assert!(cells.iter().all(|c| seen.insert((c.column, c.row))));
    }

    #[test]
    fn a_long_chain_is_laid_out_without_recursion() {
        let deps: Vec<Vec<usize>> = (0..50_000)
            .map(|n| if n == 0 { vec![] } else { vec![n - 1] })
            .collect();
        assert_eq!(depths(&deps)[49_999], 49_999);
    }
}
