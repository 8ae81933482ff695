use sea_orm::entity::prelude::*;

/// A group of risks in one catalogue version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub catalogue_id: i32,
    pub code: String,
    pub name_lv: String,
    pub name_en: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
