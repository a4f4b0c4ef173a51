//! How long closed requests took: an hourly histogram and its nearest-rank percentiles.

use std::collections::BTreeMap;

/// How long closed requests took, counted in whole hours from receipt to
/// closure (a bucket per hour). The store fills it from a GROUP BY, so no
/// request is loaded one by one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseTimes {
    /// Requests per whole hour taken; never holds a zero count, so equal
    /// histograms compare equal however they were built.
    buckets: BTreeMap<i64, u64>,
}

impl CloseTimes {
    /// Records `count` requests that took `hours` hours. A negative duration
    /// (a closure stamped before receipt, e.g. from clock skew) counts as 0.
    pub fn add(&mut self, hours: i64, count: u64) {
        if count == 0 {
            return;
        }
        let bucket = self.buckets.entry(hours.max(0)).or_insert(0);
        *bucket = bucket.saturating_add(count);
    }

    /// Adds every request recorded in `other`.
    pub fn merge(&mut self, other: &CloseTimes) {
        for (&hours, &count) in &other.buckets {
            self.add(hours, count);
        }
    }

    /// How many requests are recorded.
    pub fn count(&self) -> u64 {
        self.buckets
            .values()
            .fold(0, |total, &count| total.saturating_add(count))
    }

    /// The nearest-rank `p`th percentile in days (hours / 24): the smallest
    /// recorded value `v` such that at least `p`% of requests took `v` or
    /// less, i.e. the value at rank ⌈p/100 × n⌉. `None` when nothing is
    /// recorded or `p` is outside 1..=100.
    pub fn percentile_days(&self, p: u32) -> Option<f64> {
        if !(1..=100).contains(&p) {
            return None;
        }
        let n = u128::from(self.count());
        // Integer arithmetic so that e.g. 90% of 10 is exactly rank 9, not a
        // float a hair above it that would round up to rank 10.
        let rank = (u128::from(p) * n).div_ceil(100);
        if rank == 0 {
            return None;
        }
        let mut seen = 0_u128;
        for (&hours, &count) in &self.buckets {
            seen += u128::from(count);
            if seen >= rank {
                return Some(hours as f64 / 24.0);
            }
        }
        None
    }

    /// The median in days.
    pub fn median_days(&self) -> Option<f64> {
        self.percentile_days(50)
    }

    /// The 90th percentile in days.
    pub fn p90_days(&self) -> Option<f64> {
        self.percentile_days(90)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut times = CloseTimes::default();
        times.add(24, 3);
        times.add(48, 1);
        times.add(240, 1);
        assert_eq!(times.count(), 5);
        assert_eq!(times.median_days(), Some(1.0));
        assert_eq!(times.p90_days(), Some(10.0));
        assert_eq!(times.percentile_days(60), Some(1.0));
        assert_eq!(times.percentile_days(61), Some(2.0));
        assert_eq!(times.percentile_days(100), Some(10.0));
        assert_eq!(times.percentile_days(0), None);
        assert_eq!(times.percentile_days(101), None);

        // 90% of 10 is rank 9 exactly.
        let mut ten = CloseTimes::default();
        for hours in 1..=10 {
            ten.add(hours * 24, 1);
        }
        assert_eq!(ten.p90_days(), Some(9.0));
        assert_eq!(ten.median_days(), Some(5.0));
    }

    #[test]
    fn empty_close_times_have_no_percentile() {
        let mut times = CloseTimes::default();
        assert_eq!(times.median_days(), None);
        times.add(12, 0);
        assert_eq!(times, CloseTimes::default());
        assert_eq!(times.p90_days(), None);
    }

    #[test]
    fn negative_close_times_count_as_zero() {
        let mut times = CloseTimes::default();
        times.add(-5, 2);
        times.add(0, 1);
        assert_eq!(times.median_days(), Some(0.0));
        let mut expected = CloseTimes::default();
        expected.add(0, 3);
        assert_eq!(times, expected);
    }

    #[test]
    fn merge_adds_buckets() {
        let mut a = CloseTimes::default();
        a.add(24, 1);
        let mut b = CloseTimes::default();
        b.add(24, 2);
        b.add(72, 1);
        a.merge(&b);
        assert_eq!(a.count(), 4);
        assert_eq!(a.p90_days(), Some(3.0));
    }
}
