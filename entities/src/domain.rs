//! Domain types that user input is parsed into: roles, organisation kinds, languages, email
//! addresses, person names and passwords.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// What an organisation is; organisations form the tree state agency → municipality → school,
/// with NGOs (applicants) beside it and state vocational schools directly under the agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    #[sea_orm(string_value = "state_agency")]
    StateAgency,
    #[sea_orm(string_value = "municipality")]
    Municipality,
    #[sea_orm(string_value = "school")]
    School,
    #[sea_orm(string_value = "ngo")]
    Ngo,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StateAgency => "state_agency",
            Self::Municipality => "municipality",
            Self::School => "school",
            Self::Ngo => "ngo",
        }
    }
}

/// A role a membership gives at one organisation (see DESIGN.md "People and organisations").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "state_reviewer")]
    StateReviewer,
    #[sea_orm(string_value = "coordinator")]
    Coordinator,
    #[sea_orm(string_value = "panel_member")]
    PanelMember,
    #[sea_orm(string_value = "director")]
    Director,
    #[sea_orm(string_value = "support_staff")]
    SupportStaff,
    #[sea_orm(string_value = "accountant")]
    Accountant,
    #[sea_orm(string_value = "ngo_member")]
    NgoMember,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::StateReviewer,
        Role::Coordinator,
        Role::PanelMember,
        Role::Director,
        Role::SupportStaff,
        Role::Accountant,
        Role::NgoMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::StateReviewer => "state_reviewer",
            Self::Coordinator => "coordinator",
            Self::PanelMember => "panel_member",
            Self::Director => "director",
            Self::SupportStaff => "support_staff",
            Self::Accountant => "accountant",
            Self::NgoMember => "ngo_member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that can see pupil data (they will need a second factor).
    pub fn sees_pupil_data(self) -> bool {
        matches!(
            self,
            Self::StateReviewer | Self::Coordinator | Self::Director | Self::SupportStaff | Self::Accountant
        )
    }
}

/// The languages of the portal; Latvian is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Lv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Lv => "lv",
            Self::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "lv" => Some(Self::Lv),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// A syntactically plausible, normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim().to_lowercase();
        let (local, domain) = s.split_once('@')?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
            && !domain.contains('@');
        ok.then_some(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password someone chose: 10 to 200 characters.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    /// Checks the password and its confirmation; problems go to `errors` under `field`.
    pub fn parse(raw: &str, confirm: &str, field: &'static str, errors: &mut FieldErrors) -> Option<Self> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            errors.add(field, "error-password-short");
            None
        } else if chars > 200 {
            errors.add(field, "error-password-long");
            None
        } else if raw != confirm {
            errors.add("password_confirm", "error-password-mismatch");
            None
        } else {
            Some(Self(raw.to_owned()))
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Latvian letters without their marks (`ā` → `a`, `Ž` → `Z`); other characters unchanged. For
/// places that only take ASCII: storage keys, the built-in PDF font.
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ā' => 'a',
            'č' => 'c',
            'ē' => 'e',
            'ģ' => 'g',
            'ī' => 'i',
            'ķ' => 'k',
            'ļ' => 'l',
            'ņ' => 'n',
            'š' => 's',
            'ū' => 'u',
            'ž' => 'z',
            'Ā' => 'A',
            'Č' => 'C',
            'Ē' => 'E',
            'Ģ' => 'G',
            'Ī' => 'I',
            'Ķ' => 'K',
            'Ļ' => 'L',
            'Ņ' => 'N',
            'Š' => 'S',
            'Ū' => 'U',
            'Ž' => 'Z',
            c => c,
        })
        .collect()
}

/// A required, trimmed, single-line text of bounded length.
pub fn required_text(raw: &str, max: usize, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        errors.add(field, "error-required");
        None
    } else if s.chars().count() > max || s.chars().any(|c| c.is_control()) {
        errors.add(field, "error-too-long");
        None
    } else {
        Some(s.to_owned())
    }
}

/// Parses an email field, reporting a problem under `field`.
pub fn email_field(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<Email> {
    if raw.trim().is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    let email = Email::parse(raw);
    if email.is_none() {
        errors.add(field, "error-email");
    }
    email
}

/// A bank account number (IBAN, ISO 13616): kept in capitals without spaces; its country's
/// length where we know it (Latvia: 21) and its mod-97 checksum are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    /// Lengths of the countries a Latvian youth NGO banks in.
    const LENGTHS: [(&'static str, usize); 4] = [("LV", 21), ("LT", 20), ("EE", 20), ("DE", 22)];

    pub fn parse(raw: &str) -> Option<Self> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if !(15..=34).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let (country, check) = (s.get(..2)?, s.get(2..4)?);
        if !country.chars().all(|c| c.is_ascii_uppercase()) || !check.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if Self::LENGTHS.iter().any(|(c, len)| *c == country && *len != s.len()) {
            return None;
        }
        // The country and check digits moved to the end, letters as 10..35: the number mod 97 is 1.
        let mut remainder = 0u32;
        for c in s[4..].chars().chain(s[..4].chars()) {
            let v = c.to_digit(36)?;
            remainder = if v < 10 {
                (remainder * 10 + v) % 97
            } else {
                (remainder * 100 + v) % 97
            };
        }
        (remainder == 1).then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    /// In groups of four, as printed: `LV80 BANK 0000 4351 9500 1`.
    pub fn grouped(stored: &str) -> String {
        stored
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_is_checked_by_its_length_and_checksum() {
        let ok = Iban::parse("lv80 bank 0000 4351 9500 1").map(Iban::into_inner);
        assert_eq!(ok.as_deref(), Some("LV80BANK0000435195001"));
        assert!(
            Iban::parse("GB82 WEST 1234 5698 7654 32").is_some(),
            "another country's"
        );
        assert_eq!(Iban::parse("LV81BANK0000435195001"), None, "a wrong check digit");
        assert_eq!(Iban::parse("LV80BANK0000435195002"), None, "a mistyped digit");
        assert_eq!(Iban::parse("LV80BANK000043519500"), None, "too short for Latvia");
        assert_eq!(Iban::parse("LV80-BANK-0000"), None);
        assert_eq!(Iban::parse(""), None);
        assert_eq!(Iban::grouped("LV80BANK0000435195001"), "LV80 BANK 0000 4351 9500 1");
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Anna@Example.LV ").map(Email::into_inner).as_deref(),
            Some("anna@example.lv")
        );
        for bad in [
            "", "anna", "anna@", "@x.lv", "a b@x.lv", "a@x", "a@.lv", "a@x.lv.", "a@b@c.lv",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
