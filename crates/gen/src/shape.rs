//! How big each scale is. National meets the floor (10,000 agencies and units,
//! 300,000 tasks, 3,000,000 progress reports, 10,000,000 indicator values); province is one
//! province's share with the ministries (about a thirtieth); small is a few of everything,
//! for tests.

/// A named size of dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    Province,
    National,
}

impl Scale {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::Province => "province",
            Scale::National => "national",
        }
    }

    /// Reads "small", "province" or "national".
    pub fn parse(name: &str) -> Option<Scale> {
        match name.trim() {
            "small" => Some(Scale::Small),
            "province" => Some(Scale::Province),
            "national" => Some(Scale::National),
            _ => None,
        }
    }

    /// The counts of this scale.
    pub fn shape(self) -> Shape {
        match self {
            Scale::Small => Shape {
                programs: 3,
                tasks_per_program: 10,
                province_led_per_mille: 200,
                provinces: 2,
                departments_per_province: 3,
                communes: 8,
                public_units_per_province: 2,
                units_per_ministry: 2,
                plans_per_mille: 1000,
                units_per_task: 2,
                indicators_per_program: 3,
                corrections_per_mille: 50,
                library_items: 3_000,
            },
            Scale::Province => Shape {
                programs: 10,
                tasks_per_program: 300,
                province_led_per_mille: 200,
                provinces: 1,
                departments_per_province: 22,
                communes: 98,
                public_units_per_province: 170,
                units_per_ministry: 20,
                plans_per_mille: 1000,
                units_per_task: 3,
                indicators_per_program: 40,
                corrections_per_mille: 50,
                library_items: 50_000,
            },
            Scale::National => Shape {
                programs: 100,
                // 320 gave 2.65 million reports (seed 1); reports grow with tasks.
                tasks_per_program: 380,
                province_led_per_mille: 200,
                provinces: 34,
                departments_per_province: 22,
                communes: 3_321,
                public_units_per_province: 170,
                units_per_ministry: 20,
                plans_per_mille: 1000,
                units_per_task: 3,
                indicators_per_program: 56,
                corrections_per_mille: 50,
                library_items: 1_000_000,
            },
        }
    }
}

/// The counts a dataset is generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// National programs (nghị quyết, quyết định, chỉ thị).
    pub programs: usize,
    pub tasks_per_program: usize,
    /// How many tasks in a thousand every province leads (the rest a ministry leads).
    pub province_led_per_mille: usize,
    /// How many of today's 34 provinces get departments, communes, plans and indicator values.
    pub provinces: usize,
    pub departments_per_province: usize,
    /// Communes and wards (xã, phường) of the provinces in scope, all together.
    pub communes: usize,
    pub public_units_per_province: usize,
    pub units_per_ministry: usize,
    /// How many assigned agencies in a thousand make a plan for a program.
    pub plans_per_mille: usize,
    /// At most this many units are handed each plan task.
    pub units_per_task: usize,
    pub indicators_per_program: usize,
    /// How many indicator values in a thousand are corrected by a later one.
    pub corrections_per_mille: usize,
    /// Items of the external-information library (`library::library_corpus`).
    pub library_items: u64,
}

impl Shape {
    /// The communes of the `index`th province in scope: the total shared out evenly, the
    /// first provinces taking the remainder.
    pub fn communes_of(&self, index: usize) -> usize {
        let provinces = self.provinces.max(1);
        self.communes / provinces + usize::from(index < self.communes % provinces)
    }
}
