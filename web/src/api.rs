//! The read-only JSON API under `/api/v1/` for the municipality's website and the state
//! agency's tools, described by the OpenAPI document at `/api/v1/openapi.json`. Times are
//! RFC 3339 in Riga time with the offset; money is a decimal string (`"1500.00"`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use entities::entity::call;
use entities::grants::calls;
use entities::money::Eur;
use serde::Serialize;
use serde_json::json;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calls", get(list))
        .route("/api/v1/calls/{id}", get(one))
        .route("/api/v1/openapi.json", get(openapi))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    entities::time::to_riga(at).to_rfc3339()
}

fn money(cents: i64) -> String {
    Eur::from_cents(cents).to_plain()
}

#[derive(Serialize)]
struct CallSummary {
    id: i32,
    title: String,
    municipality: String,
    status: &'static str,
    opens_at: String,
    closes_at: String,
    budget: String,
    min_grant: String,
    max_grant: String,
    cofinancing_share_percent: String,
    allow_informal_groups: bool,
    url: String,
}

#[derive(Serialize)]
struct Criterion {
    name: String,
    description: String,
    max_points: i32,
    weight: String,
    min_points: Option<i32>,
}

#[derive(Serialize)]
struct CallDetail {
    #[serde(flatten)]
    summary: CallSummary,
    description: String,
    aims: String,
    eligibility: String,
    scoring_deadline: String,
    requirements: Vec<String>,
    criteria: Vec<Criterion>,
    /// The regulation and its annexes.
    files: Vec<CallFile>,
}

#[derive(Serialize)]
struct CallFile {
    title: String,
    name: String,
    content_type: String,
    size: i64,
    url: String,
}

fn summary(state: &AppState, c: &call::Model, municipality: String, now: DateTime<Utc>) -> CallSummary {
    CallSummary {
        id: c.id,
        title: c.title.clone(),
        municipality,
        status: calls::effective_status(c, now).as_str(),
        opens_at: rfc3339(c.opens_at),
        closes_at: rfc3339(c.closes_at),
        budget: money(c.budget_cents),
        min_grant: money(c.min_grant_cents),
        max_grant: money(c.max_grant_cents),
        cofinancing_share_percent: money(c.cofinancing_bp.into()),
        allow_informal_groups: c.allow_informal_groups,
        url: format!("{}/calls/{}", state.cfg.public_url, c.id),
    }
}

/// Public, read-only data: any website may read it.
pub(crate) fn public_json<T: Serialize>(status: StatusCode, body: T) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

pub(crate) fn not_found() -> Response {
    public_json(
        StatusCode::NOT_FOUND,
        json!({ "error": "not_found", "message": "No published call has this id." }),
    )
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    let reference = entities::tokens::random_hex()[..12].to_owned();
    tracing::error!(reference = %reference, error = %e, "api request failed");
    public_json(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({ "error": "internal", "reference": reference }),
    )
}

async fn list(State(state): State<AppState>) -> Response {
    let now = state.now();
    let (open, past) = match (
        calls::open_calls(&state.db, now).await,
        calls::past_calls(&state.db, now).await,
    ) {
        (Ok(open), Ok(past)) => (open, past),
        (Err(e), _) | (_, Err(e)) => return internal(e),
    };
    let items: Vec<CallSummary> = open
        .into_iter()
        .chain(past)
        .map(|(c, m)| summary(&state, &c, m.map(|m| m.name).unwrap_or_default(), now))
        .collect();
    public_json(StatusCode::OK, json!({ "calls": items }))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i32>() else { return not_found() };
    let now = state.now();
    let (c, municipality) = match calls::published(&state.db, id).await {
        Ok(found) => found,
        Err(entities::Error::NotFound) => return not_found(),
        Err(e) => return internal(e),
    };
    let (requirements, criteria, files) = match (
        calls::requirements(&state.db, id).await,
        calls::criteria(&state.db, id).await,
        calls::files(&state.db, id).await,
    ) {
        (Ok(r), Ok(k), Ok(f)) => (r, k, f),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return internal(e),
    };
    let files = files
        .into_iter()
        .map(|f| CallFile {
            url: format!("{}/calls/{id}/files/{}", state.cfg.public_url, f.id),
            title: f.title,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
        })
        .collect();
    let detail = CallDetail {
        summary: summary(&state, &c, municipality.name, now),
        description: c.description.clone(),
        aims: c.aims.clone(),
        eligibility: c.eligibility.clone(),
        scoring_deadline: rfc3339(c.scoring_deadline),
        requirements: requirements.into_iter().map(|r| r.text).collect(),
        criteria: criteria
            .into_iter()
            .map(|k| Criterion {
                name: k.name,
                description: k.description,
                max_points: k.max_points,
                weight: money(k.weight_x100.into()),
                min_points: k.min_points,
            })
            .collect(),
        files,
    };
    public_json(StatusCode::OK, detail)
}

async fn openapi(State(state): State<AppState>) -> Response {
    let statuses: Vec<&str> = [
        call::CallStatus::Announced,
        call::CallStatus::Open,
        call::CallStatus::Closed,
        call::CallStatus::InReview,
        call::CallStatus::Decided,
        call::CallStatus::ResultsPublished,
        call::CallStatus::Archived,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let money = json!({ "type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "example": "1500.00" });
    let time = json!({ "type": "string", "format": "date-time", "example": "2026-12-01T17:00:00+02:00" });
    let summary_props = json!({
        "id": { "type": "integer" },
        "title": { "type": "string" },
        "municipality": { "type": "string" },
        "status": { "type": "string", "enum": statuses },
        "opens_at": time, "closes_at": time,
        "budget": money, "min_grant": money, "max_grant": money,
        "cofinancing_share_percent": { "type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "example": "10.00" },
        "allow_informal_groups": { "type": "boolean" },
        "url": { "type": "string", "format": "uri" }
    });
    let required = [
        "id",
        "title",
        "municipality",
        "status",
        "opens_at",
        "closes_at",
        "budget",
        "min_grant",
        "max_grant",
        "cofinancing_share_percent",
        "allow_informal_groups",
        "url",
    ];
    let error = json!({ "description": "No published call has this id.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let stats_path = json!({ "get": {
                "operationId": "getStats",
                "summary": "Support-plan and grant indicators of a school, a municipality or the state for a semester or a school year",
                "description": "The tables of the statistics page. A token issued to the state agency sees every scope; one issued to a municipality sees the municipality and its schools. Figures for fewer than 5 pupils, and those from which such a figure could be worked out (a total minus its parts), are null. Without level, the token's own scope; without semester or year, the newest semester.",
                "security": [{ "bearerAuth": [] }],
                "parameters": [
                    { "name": "level", "in": "query", "schema": { "type": "string", "enum": ["school", "municipality", "state"] } },
                    { "name": "org", "in": "query", "description": "The school's or municipality's id: with level school, a school's; with level municipality, a municipality's (404 otherwise); not with level state", "schema": { "type": "integer", "minimum": 1, "maximum": 2147483647 } },
                    { "name": "semester", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 2147483647 } },
                    { "name": "year", "in": "query", "description": "The year the school year starts", "schema": { "type": "integer", "minimum": 2000, "maximum": 2100 } }
                ],
                "responses": {
                    "200": { "description": "The indicators", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Stats" } } } },
                    "400": { "description": "A malformed parameter.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "No valid bearer token.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "No such scope or period, or not this token's to see.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } });
    let stats_schema = json!({ "type": "object", "required": ["level", "organisation", "name", "period", "period_label", "withheld", "tables"], "properties": {
                "level": { "type": "string", "enum": ["school", "municipality", "state"] },
                "organisation": { "type": ["integer", "null"] },
                "name": { "type": "string" },
                "period": { "type": "object", "properties": { "semester": { "type": "integer" }, "school_year": { "type": "integer" } } },
                "period_label": { "type": "string" },
                "withheld": { "type": "boolean", "description": "The period's pupil figures are withheld: fewer than 5 pupils in the scope, or figures from which a smaller group could be worked out." },
                "tables": { "type": "array", "items": { "type": "object", "required": ["key", "title", "columns", "rows"], "properties": {
                    "key": { "type": "string", "enum": ["pupils", "categories", "specialists", "other", "groups", "outcomes", "trend", "parts", "grants", "grants-by-municipality"] },
                    "title": { "type": "string" },
                    "columns": { "type": "array", "items": { "type": "object", "required": ["key", "label"], "properties": { "key": { "type": "string" }, "label": { "type": "string" } } } },
                    "rows": { "type": "array", "items": { "type": "object", "required": ["key", "label", "values", "units"], "properties": {
                        "key": { "type": "string", "description": "A code, or a semester's or an organisation's id" },
                        "label": { "type": "string" },
                        "values": { "type": "array", "items": { "oneOf": [ { "type": "integer" }, money, { "type": "null" } ] }, "description": "One per column: counts and minutes as integers, euros as decimal strings, null when withheld" },
                        "units": { "type": "array", "items": { "type": "string", "enum": ["count", "eur", "minutes"] } }
                    } } }
                } } }
            } });
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Pumpurs API",
            "version": "1",
            "description": "Published youth-initiative calls and, with a bearer token, statistics. Times are RFC 3339 in Riga time with the offset; money is a decimal string."
        },
        "servers": [{ "url": format!("{}/api/v1", state.cfg.public_url) }],
        "paths": {
            "/calls": { "get": {
                "operationId": "listCalls",
                "summary": "Published calls, open ones first",
                "responses": { "200": { "description": "The calls", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["calls"],
                    "properties": { "calls": { "type": "array", "items": { "$ref": "#/components/schemas/CallSummary" } } }
                } } } } }
            } },
            "/calls/{id}/results": { "get": {
                "operationId": "getCallResults",
                "summary": "The published results of a call (organisations and projects only, no personal data)",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1, "maximum": 2147483647 } }],
                "responses": {
                    "200": { "description": "The results in rank order", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Results" } } } },
                    "404": { "description": "No call with published results has this id.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/stats": stats_path,
            "/calls/{id}": { "get": {
                "operationId": "getCall",
                "summary": "One published call with its requirements and criteria",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1, "maximum": 2147483647 } }],
                "responses": {
                    "200": { "description": "The call", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Call" } } } },
                    "404": error
                }
            } }
        },
        "components": { "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer", "description": "A token an administrator issues at /admin/api-tokens" } }, "schemas": {
            "CallSummary": { "type": "object", "required": required, "properties": summary_props },
            "Call": { "allOf": [ { "$ref": "#/components/schemas/CallSummary" }, { "type": "object",
                "required": ["description", "aims", "eligibility", "scoring_deadline", "requirements", "criteria", "files"],
                "properties": {
                    "description": { "type": "string" }, "aims": { "type": "string" }, "eligibility": { "type": "string" },
                    "scoring_deadline": time,
                    "requirements": { "type": "array", "items": { "type": "string" } },
                    "criteria": { "type": "array", "items": { "type": "object", "required": ["name", "description", "max_points", "weight", "min_points"], "properties": {
                        "name": { "type": "string" }, "description": { "type": "string" }, "max_points": { "type": "integer" },
                        "weight": { "type": "string", "example": "1.50" }, "min_points": { "type": ["integer", "null"] }
                    } } },
                    "files": { "type": "array", "items": { "type": "object", "required": ["title", "name", "content_type", "size", "url"], "properties": {
                        "title": { "type": "string" }, "name": { "type": "string" }, "content_type": { "type": "string" },
                        "size": { "type": "integer" }, "url": { "type": "string", "format": "uri" }
                    } } }
                } } ] },
            "Results": { "type": "object", "required": ["call", "results"], "properties": {
                "call": { "type": "object", "required": ["id", "title"], "properties": { "id": { "type": "integer" }, "title": { "type": "string" } } },
                "results": { "type": "array", "items": { "type": "object", "required": ["rank", "reference", "applicant", "project", "outcome", "amount", "score"], "properties": {
                    "rank": { "type": "integer" }, "reference": { "type": "string" }, "applicant": { "type": "string" }, "project": { "type": "string" },
                    "outcome": { "type": "string", "enum": ["funded", "reserve", "not_funded", "withdrawn"] },
                    "amount": money, "score": { "type": ["string", "null"], "example": "18.50" }
                } } }
            } },
            "Stats": stats_schema,
            "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" }, "message": { "type": "string" }, "reference": { "type": "string" } } }
        } }
    });
    public_json(StatusCode::OK, doc)
}
