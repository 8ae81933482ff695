use sea_orm::entity::prelude::*;

/// What kind of answer a call's question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum QuestionKind {
    #[sea_orm(string_value = "short_text")]
    ShortText,
    #[sea_orm(string_value = "long_text")]
    LongText,
    #[sea_orm(string_value = "number")]
    Number,
    #[sea_orm(string_value = "amount")]
    Amount,
    #[sea_orm(string_value = "date")]
    Date,
    #[sea_orm(string_value = "choice")]
    Choice,
    #[sea_orm(string_value = "yes_no")]
    YesNo,
    #[sea_orm(string_value = "file")]
    File,
}

impl QuestionKind {
    pub const ALL: [Self; 8] = [
        Self::ShortText,
        Self::LongText,
        Self::Number,
        Self::Amount,
        Self::Date,
        Self::Choice,
        Self::YesNo,
        Self::File,
    ];

    /// The stored value, also the i18n suffix (`question-kind-…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::Number => "number",
            Self::Amount => "amount",
            Self::Date => "date",
            Self::Choice => "choice",
            Self::YesNo => "yes_no",
            Self::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A question a call asks on its application form, in its place among the call's questions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub position: i32,
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    pub required: bool,
    /// The longest answer a long-text question takes, in characters.
    pub max_len: Option<i32>,
    /// A one-of choice's options, one per line.
    pub choices: String,
}

impl Model {
    /// The options of a one-of choice.
    pub fn options(&self) -> Vec<&str> {
        self.choices.lines().map(str::trim).filter(|c| !c.is_empty()).collect()
    }

    /// The form field (and error) name of the answer.
    pub fn field(&self) -> String {
        format!("q-{}", self.id)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
