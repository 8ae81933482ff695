//! A support plan on paper: the plan itself (school, semester, pupil, risks with their
//! justifications, measures with hours and euros, signature lines) and the parent's (or adult
//! pupil's) application and consent form, each drawn once as blocks - a printable page and a PDF.

use entities::entity::plan_measure::MeasureKind;
use entities::money::Eur;
use entities::plans::PlanView;
use maud::Markup;

use crate::pages::plans::{hours, measure_name, risk_name, semester_label};
use crate::pdf::{Block, Column};
use crate::{Lang, PageCtx, t, tf};

/// Who signs a plan besides the parent: its author and the school's director (names, where known).
pub struct Signers {
    pub author: String,
    pub director: Option<String>,
    /// The day the document is printed (Riga), as shown.
    pub today: String,
}

fn pupil_fields(l: Lang, v: &PlanView) -> Vec<Block> {
    vec![
        Block::Field(t(l, "plan-print-school"), v.school.name.clone()),
        Block::Field(t(l, "field-semester"), semester_label(l, &v.semester)),
        Block::Field(t(l, "field-pupil-name"), v.pupil.name.clone()),
        Block::Field(t(l, "field-class"), v.pupil.class_name.clone()),
        Block::Field(t(l, "field-birth-date"), crate::view::date(v.pupil.birth_date)),
    ]
}

/// The plan as blocks.
pub fn plan_blocks(l: Lang, v: &PlanView, s: &Signers) -> Vec<Block> {
    let risk_of = |plan_risk_id: i32| -> String {
        v.risks
            .iter()
            .find(|r| r.id == plan_risk_id)
            .and_then(|r| v.catalogue.iter().find(|c| c.id == r.risk_id))
            .map(|c| risk_name(l, c).to_owned())
            .unwrap_or_default()
    };
    let mut blocks = vec![Block::Title(tf(
        l,
        "plan-print-title",
        &[("number", &v.plan.id.to_string())],
    ))];
    blocks.extend(pupil_fields(l, v));
    blocks.push(Block::Field(
        t(l, "plan-status"),
        crate::view::plan_status(l, v.plan.status, v.plan.approval_step),
    ));
    blocks.push(Block::Heading(t(l, "plan-risks")));
    if v.risks.is_empty() {
        blocks.push(Block::Paragraph(t(l, "plan-risks-none")));
    }
    blocks.extend(
        v.risks
            .iter()
            .map(|r| Block::Field(risk_of(r.id), r.justification.clone())),
    );
    blocks.push(Block::Heading(t(l, "plan-measures")));
    let rows: Vec<Vec<String>> = v
        .measures
        .iter()
        .map(|m| {
            let addressed: Vec<String> = v
                .links
                .iter()
                .filter(|link| link.measure_id == m.id)
                .map(|link| risk_of(link.plan_risk_id))
                .collect();
            vec![
                measure_name(l, m),
                addressed.join(", "),
                m.planned_minutes.map(|x| hours(l, x)).unwrap_or_default(),
                m.planned_cents
                    .map(|c| Eur::from_cents(c).display(l))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(l, "plan-measures-none")));
    } else {
        let minutes: i32 = v.measures.iter().filter_map(|m| m.planned_minutes).sum();
        let cents: i64 = v
            .measures
            .iter()
            .filter(|m| m.kind == MeasureKind::Compensation)
            .filter_map(|m| m.planned_cents)
            .sum();
        let mut rows = rows;
        rows.push(vec![
            t(l, "plan-print-total"),
            String::new(),
            hours(l, minutes),
            Eur::from_cents(cents).display(l),
        ]);
        blocks.push(Block::Table(
            vec![
                Column::new(t(l, "plan-print-measure"), 4, false),
                Column::new(t(l, "plan-addresses"), 5, false),
                Column::new(t(l, "plan-print-hours"), 2, true),
                Column::new(t(l, "plan-print-amount"), 2, true),
            ],
            rows,
        ));
    }
    blocks.push(Block::Heading(t(l, "plan-consent")));
    blocks.push(Block::Paragraph(match (v.plan.consent_at, &v.plan.consent_by) {
        (Some(at), Some(by)) => tf(l, "plan-consent-given", &[("by", by), ("at", &crate::view::riga(at))]),
        _ => t(l, "plan-print-no-consent"),
    }));
    blocks.push(Block::Field(t(l, "plan-print-author"), s.author.clone()));
    blocks.push(Block::Field(t(l, "plan-print-date"), s.today.clone()));
    blocks.push(Block::Signatures(vec![
        t(l, "plan-print-sign-parent"),
        tf(l, "plan-print-sign-author", &[("name", &s.author)]),
        tf(
            l,
            "plan-print-sign-director",
            &[("name", s.director.as_deref().unwrap_or(""))],
        ),
    ]));
    blocks
}

/// The parent's (or adult pupil's) application for support and consent, to be signed and
/// uploaded back as the consent's evidence.
pub fn consent_blocks(l: Lang, v: &PlanView) -> Vec<Block> {
    let mut blocks = vec![Block::Title(t(l, "consent-form-title"))];
    blocks.push(Block::Field(t(l, "consent-form-to"), v.school.name.clone()));
    blocks.extend(pupil_fields(l, v).into_iter().skip(1));
    blocks.extend([
        Block::Paragraph(tf(
            l,
            "consent-form-request",
            &[("pupil", &v.pupil.name), ("school", &v.school.name)],
        )),
        Block::Paragraph(t(l, "consent-form-data")),
        Block::Paragraph(t(l, "consent-form-withdraw")),
        Block::Field(t(l, "consent-form-applicant"), "_".repeat(40)),
        Block::Field(t(l, "consent-form-relation"), t(l, "consent-form-relation-options")),
        Block::Signatures(vec![t(l, "consent-form-sign"), t(l, "plan-print-sign-date")]),
    ]);
    blocks
}

fn running(l: Lang, v: &PlanView) -> String {
    tf(
        l,
        "plan-print-running",
        &[("number", &v.plan.id.to_string()), ("pupil", &v.pupil.name)],
    )
}

pub fn plan_page(ctx: &PageCtx, v: &PlanView, s: &Signers) -> Markup {
    let back = format!("/plans/{}", v.plan.id);
    crate::pdf::printable(
        ctx,
        &plan_blocks(ctx.lang, v, s),
        (&back, "plan-print-back"),
        &format!("{back}/plan.pdf"),
        &running(ctx.lang, v),
    )
}

pub fn plan_pdf(l: Lang, v: &PlanView, s: &Signers) -> Vec<u8> {
    crate::pdf::render(&plan_blocks(l, v, s), &running(l, v))
}

pub fn consent_page(ctx: &PageCtx, v: &PlanView) -> Markup {
    let back = format!("/plans/{}", v.plan.id);
    crate::pdf::printable(
        ctx,
        &consent_blocks(ctx.lang, v),
        (&back, "plan-print-back"),
        &format!("{back}/consent-form.pdf"),
        &running(ctx.lang, v),
    )
}

pub fn consent_pdf(l: Lang, v: &PlanView) -> Vec<u8> {
    crate::pdf::render(&consent_blocks(l, v), &running(l, v))
}
