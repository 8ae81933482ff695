use sea_orm::entity::prelude::*;

/// A member of school staff assigned to a pupil (writes and carries out their plans).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pupil_staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pupil_id: i32,
    pub user_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
