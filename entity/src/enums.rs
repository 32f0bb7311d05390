//! Enumerations stored in text columns.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $name {
            $($(#[$vdoc])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The stored (and GraphQL) name of this value.
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

text_enum!(
    /// Level of a region in the administrative tree.
    RegionLevel { Area = "AREA", Province = "PROVINCE", Prefecture = "PREFECTURE", District = "DISTRICT" }
);
text_enum!(
    /// What sort of unit a department is.
    DepartmentKind { Government = "GOVERNMENT", Bureau = "BUREAU", Enterprise = "ENTERPRISE", Collective = "COLLECTIVE" }
);
text_enum!(
    /// What sort of document a plan is.
    PlanKind {
        ImplementationPlan = "IMPLEMENTATION_PLAN",
        ActionPlan = "ACTION_PLAN",
        AnnualPriorities = "ANNUAL_PRIORITIES",
        CoordinationMeasures = "COORDINATION_MEASURES",
    }
);
text_enum!(
    /// Lifecycle of a plan.
    PlanStatus { Draft = "DRAFT", InForce = "IN_FORCE", Superseded = "SUPERSEDED", Repealed = "REPEALED", Archived = "ARCHIVED" }
);
text_enum!(
    /// Government data-sharing class (国发〔2016〕51号).
    SharingClass { Public = "PUBLIC", Unconditional = "UNCONDITIONAL", Conditional = "CONDITIONAL", NotShared = "NOT_SHARED" }
);
text_enum!(
    /// Level of a node in a plan's task tree.
    TaskKind { ActionGroup = "ACTION_GROUP", Task = "TASK", FeaturedProject = "FEATURED_PROJECT" }
);
text_enum!(
    /// Progress state of a task.
    TaskStatus {
        NotStarted = "NOT_STARTED",
        InProgress = "IN_PROGRESS",
        Completed = "COMPLETED",
        Delayed = "DELAYED",
        Archived = "ARCHIVED",
    }
);
text_enum!(
    /// Role of a department on a task.
    AssignmentRole { Lead = "LEAD", Support = "SUPPORT" }
);
text_enum!(
    /// How an indicator is measured.
    Measure { Quantity = "QUANTITY", Percentage = "PERCENTAGE", Qualitative = "QUALITATIVE" }
);
text_enum!(
    /// Which way an indicator should move.
    Direction { HigherIsBetter = "HIGHER_IS_BETTER", LowerIsBetter = "LOWER_IS_BETTER", Keep = "KEEP" }
);
text_enum!(
    /// 约束性 (binding) or 预期性 (expected).
    Nature { Binding = "BINDING", Expected = "EXPECTED" }
);
text_enum!(
    /// How a target compares with the actual value.
    Comparator { Gte = "GTE", Gt = "GT", Lte = "LTE", Lt = "LT", Approx = "APPROX", Eq = "EQ", Between = "BETWEEN" }
);
text_enum!(
    /// Quality of a reported actual value.
    ActualStatus { Provisional = "PROVISIONAL", Verified = "VERIFIED", Estimated = "ESTIMATED", Final = "FINAL" }
);
text_enum!(
    /// What a Jing-Jin-Ji coordination record is: a standing mechanism
    /// (机制, 制度, 共同体), a working group (工作组), a meeting (会议, 座谈,
    /// 发布会), an agreement signed or a joint declaration (协议, 宣言,
    /// 统一标准), or a joint action (联合开展, 共享, 共同编制).
    CoordinationKind {
        Mechanism = "MECHANISM",
        WorkingGroup = "WORKING_GROUP",
        Meeting = "MEETING",
        Agreement = "AGREEMENT",
        JointAction = "JOINT_ACTION",
    }
);
text_enum!(
    /// What kind of target a target is: a value by a year (到2025年), a
    /// standing rule with no year (新建数据中心PUE不高于1.25), a value for
    /// every year (每年新增…), for every year from a start year (2023年起…),
    /// 100 % implied by a phrase (全部, 全覆盖, 全面执行), or a goal stated in
    /// words with no figure (完成…改造, 基本建成…: `value` is `None`).
    TargetKind {
        ByYear = "BY_YEAR",
        Standing = "STANDING",
        Annual = "ANNUAL",
        FromYear = "FROM_YEAR",
        ImplicitFull = "IMPLICIT_FULL",
        Qualitative = "QUALITATIVE",
    }
);
