//! What one detector may spend on one file: a work budget (abstract units, about one per byte
//! examined or candidate compared) and a memory budget (bytes the detector holds beyond the
//! file itself). A hostile file can make any search quadratic or any list unbounded; a
//! detector charges its [`Meter`] as it goes and stops when the meter says so. The stop is
//! recorded as a [`Partial`](binsight_model::Partial) note on the file, never an abort.
//!
//! The defaults are far above what real binaries need (the largest in the ground-truth corpus,
//! a 180 MB Go binary, spends under 5% of either) and far below what would hurt a scan.

/// Per-detector, per-file caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Work units one detector may spend on one file.
    pub work: u64,
    /// Bytes one detector may hold at once for one file (its own tables and lists).
    pub memory: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { work: 2 << 30, memory: 64 << 20 }
    }
}

/// The budget ran out: the detector must stop and leave what it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exhausted;

/// One detector's spending on one file.
#[derive(Debug)]
pub struct Meter {
    budget: Budget,
    work: u64,
    held: u64,
    peak: u64,
    /// Why it stopped, set at the first overrun.
    exceeded: Option<String>,
}

impl Meter {
    /// A meter with nothing spent yet, that stops at `budget`.
    pub fn new(budget: Budget) -> Meter {
        Meter { budget, work: 0, held: 0, peak: 0, exceeded: None }
    }

    /// Spend `n` work units; `Err` once the budget is spent (and from then on).
    pub fn work(&mut self, n: u64) -> Result<(), Exhausted> {
        if self.exceeded.is_some() {
            return Err(Exhausted);
        }
        self.work = self.work.saturating_add(n);
        if self.work > self.budget.work {
            self.exceeded = Some(format!("work budget of {} units spent", self.budget.work));
            return Err(Exhausted);
        }
        Ok(())
    }

    /// Hold `n` more bytes; `Err` (holding nothing more) when that would pass the budget.
    pub fn hold(&mut self, n: u64) -> Result<(), Exhausted> {
        if self.exceeded.is_some() {
            return Err(Exhausted);
        }
        let next = self.held.saturating_add(n);
        if next > self.budget.memory {
            self.exceeded =
                Some(format!("memory budget of {} bytes reached (holding {} bytes)", self.budget.memory, self.held));
            return Err(Exhausted);
        }
        self.held = next;
        self.peak = self.peak.max(next);
        Ok(())
    }

    /// Give back `n` held bytes.
    pub fn release(&mut self, n: u64) {
        self.held = self.held.saturating_sub(n);
    }

    /// Why the detector stopped early, if it did.
    pub fn exceeded(&self) -> Option<&str> {
        self.exceeded.as_deref()
    }

    /// Work units spent so far.
    pub fn spent(&self) -> u64 {
        self.work
    }

    /// Most bytes held at once so far.
    pub fn peak(&self) -> u64 {
        self.peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_stops_at_either_cap_and_stays_stopped() {
        let mut m = Meter::new(Budget { work: 10, memory: 100 });
        assert!(m.work(10).is_ok());
        assert!(m.work(1).is_err());
        assert!(m.hold(1).is_err(), "a spent meter refuses everything");
        assert!(m.exceeded().is_some_and(|w| w.contains("work budget of 10")));

        let mut m = Meter::new(Budget { work: 10, memory: 100 });
        assert!(m.hold(60).is_ok());
        m.release(60);
        assert!(m.hold(100).is_ok());
        assert!(m.hold(1).is_err());
        assert_eq!(m.peak(), 100);
        assert!(m.exceeded().is_some_and(|w| w.contains("memory budget of 100")));
    }
}
