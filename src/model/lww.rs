//! Last writer wins: the one rule that decides which of two versions of an
//! item a replica keeps.
//!
//! DynamoDB global tables settle concurrent writes to an item by keeping
//! the one with the later timestamp, whole item, and a replica accepts an
//! incoming version only if it is strictly newer than the one it holds.
//! Two versions can carry the same timestamp (two clocks, or hybrid logical
//! clocks, reading the same nanosecond); every replica must still decide
//! the same way, or they would never converge. The service does not
//! document its tie-break, so here the region whose name is later in
//! alphabetical order wins: a total order every replica computes alike.
//! Every place that decides a winner calls `beats`.

/// What last writer wins compares: a version's timestamp, then its origin
/// region's rank (see `ranks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub ts: i64,
    pub rank: u16,
}

/// Whether a version stamped `a` replaces one stamped `b`: a later
/// timestamp wins; at equal timestamps, the later region name.
#[inline(always)]
pub fn beats(a: Stamp, b: Stamp) -> bool {
    (a.ts, a.rank) > (b.ts, b.rank)
}

/// Each region's rank: the position of its name in alphabetical order,
/// which breaks timestamp ties in `beats`.
pub fn ranks<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<u16> {
    let names: Vec<&str> = names.into_iter().collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(names[b]));
    let mut rank = vec![0u16; names.len()];
    for (i, &r) in order.iter().enumerate() {
        rank[r] = i as u16;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_timestamp_wins_then_later_region_name() {
        let s = |ts, rank| Stamp { ts, rank };
        assert!(beats(s(2, 0), s(1, 5)));
        assert!(!beats(s(1, 5), s(2, 0)));
        assert!(beats(s(1, 1), s(1, 0)));
        // Strictly newer: an equal stamp does not replace.
        assert!(!beats(s(1, 1), s(1, 1)));
    }

    #[test]
    fn ranks_follow_alphabetical_order() {
        assert_eq!(
            ranks(["us-east-1", "eu-west-1", "ap-south-1"]),
            vec![2, 1, 0]
        );
    }
}
