//! What one `xietong generate` run wrote, as it prints it.

use std::time::Duration;

/// What one `generate` run wrote.
#[derive(Debug, Default, Clone)]
pub struct GenerateReport {
    /// Whether the default dataset had to be loaded first.
    pub seeded: bool,
    pub departments: u64,
    pub plans: u64,
    pub plans_skipped: u64,
    pub tasks: u64,
    pub assignments: u64,
    pub indicators: u64,
    pub targets: u64,
    pub actuals: u64,
    /// Time spent writing rows.
    pub elapsed: Duration,
    /// Time spent on `ANALYZE`.
    pub analyze: Duration,
    /// Rows of each table after the run.
    pub totals: Vec<(&'static str, u64)>,
}

impl std::fmt::Display for GenerateReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.seeded {
            writeln!(f, "loaded the default dataset first")?;
        }
        writeln!(f, "inserted:")?;
        for (name, n) in [
            ("department", self.departments),
            ("plan", self.plans),
            ("task", self.tasks),
            ("task_assignment", self.assignments),
            ("indicator", self.indicators),
            ("indicator_target", self.targets),
            ("indicator_actual", self.actuals),
        ] {
            writeln!(f, "  {name:<18} {n:>9}")?;
        }
        let rows = self.departments
            + self.plans
            + self.tasks
            + self.assignments
            + self.indicators
            + self.targets
            + self.actuals;
        let secs = self.elapsed.as_secs_f64();
        writeln!(f, "plans already present (skipped): {}", self.plans_skipped)?;
        writeln!(
            f,
            "wrote {rows} rows in {secs:.1} s ({:.0} rows/s); ANALYZE {:.1} s",
            rows as f64 / secs.max(1e-9),
            self.analyze.as_secs_f64()
        )?;
        writeln!(f, "rows now in the store:")?;
        for (name, n) in &self.totals {
            writeln!(f, "  {name:<18} {n:>9}")?;
        }
        Ok(())
    }
}
