//! A call's own form: the questions its regulation asks (answered on the application), the
//! documents an application must carry (each attachment says which one it is), and its budget
//! categories with their caps. A call without them keeps the fixed form and six categories.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CallQuestions::Table)
                .col(pk_auto(CallQuestions::Id))
                .col(integer(CallQuestions::CallId))
                .col(integer(CallQuestions::Position))
                .col(string_len(CallQuestions::Kind, 20))
                .col(string_len(CallQuestions::Label, 300))
                .col(text(CallQuestions::Help))
                .col(boolean(CallQuestions::Required))
                .col(integer_null(CallQuestions::MaxLen))
                .col(text(CallQuestions::Choices))
                .foreign_key(&mut fk(
                    CallQuestions::Table,
                    CallQuestions::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CallDocuments::Table)
                .col(pk_auto(CallDocuments::Id))
                .col(integer(CallDocuments::CallId))
                .col(integer(CallDocuments::Position))
                .col(string_len(CallDocuments::Title, 300))
                .col(string_len(CallDocuments::Types, 100))
                .foreign_key(&mut fk(
                    CallDocuments::Table,
                    CallDocuments::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CallCategories::Table)
                .col(pk_auto(CallCategories::Id))
                .col(integer(CallCategories::CallId))
                .col(integer(CallCategories::Position))
                .col(string_len(CallCategories::Name, 200))
                .col(integer_null(CallCategories::CapBp))
                .col(big_integer_null(CallCategories::CapCents))
                .foreign_key(&mut fk(
                    CallCategories::Table,
                    CallCategories::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApplicationAnswers::Table)
                .col(pk_auto(ApplicationAnswers::Id))
                .col(integer(ApplicationAnswers::ApplicationId))
                .col(integer(ApplicationAnswers::QuestionId))
                .col(text(ApplicationAnswers::Value))
                .foreign_key(&mut fk(
                    ApplicationAnswers::Table,
                    ApplicationAnswers::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(
                    ApplicationAnswers::Table,
                    ApplicationAnswers::QuestionId,
                    CallQuestions::Table,
                    CallQuestions::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, table, col) in [
            (
                "ix_call_questions_call",
                CallQuestions::Table.into_iden(),
                CallQuestions::CallId.into_iden(),
            ),
            (
                "ix_call_documents_call",
                CallDocuments::Table.into_iden(),
                CallDocuments::CallId.into_iden(),
            ),
            (
                "ix_call_categories_call",
                CallCategories::Table.into_iden(),
                CallCategories::CallId.into_iden(),
            ),
        ] {
            m.create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        m.create_index(
            Index::create()
                .name("ux_application_answers")
                .table(ApplicationAnswers::Table)
                .col(ApplicationAnswers::ApplicationId)
                .col(ApplicationAnswers::QuestionId)
                .unique()
                .to_owned(),
        )
        .await?;
        // Which required document, or which file question, an attachment answers (neither: an
        // attachment of the applicant's own choosing).
        m.alter_table(
            Table::alter()
                .table(Attachments::Table)
                .add_column(integer_null(Attachments::DocumentId))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Attachments::Table)
                .add_column(integer_null(Attachments::QuestionId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Attachments::DocumentId, Attachments::QuestionId] {
            m.alter_table(Table::alter().table(Attachments::Table).drop_column(col).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(ApplicationAnswers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CallCategories::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CallDocuments::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CallQuestions::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CallQuestions {
    Table,
    Id,
    CallId,
    Position,
    Kind,
    Label,
    Help,
    Required,
    MaxLen,
    Choices,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallDocuments {
    Table,
    Id,
    CallId,
    Position,
    Title,
    Types,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallCategories {
    Table,
    Id,
    CallId,
    Position,
    Name,
    CapBp,
    CapCents,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApplicationAnswers {
    Table,
    Id,
    ApplicationId,
    QuestionId,
    Value,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    DocumentId,
    QuestionId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    Id,
}
