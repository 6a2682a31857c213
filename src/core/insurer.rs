//! The kind of insurer (保険者の種別): the same work is done by every kind, but some rules depend
//! on it, and they live here, in one place (seed 000, 「報告様式の報告先」; seed 002 is written
//! for 広域連合 and 市町村国保 as well):
//!
//! - how the letters speak of the sender (当組合 / 当協会 / 当広域連合 / 当市 …) and of the person
//!   (加入者 / 被保険者 / 組合員): [`InsurerKind::sender_word`], [`InsurerKind::person_word`];
//! - whether asking the employer (item 3) exists at all: [`InsurerKind::has_employer`];
//! - the wrong-number contact route (市町村国保: a notice through the municipal デジタルPMO
//!   without personal data, instead of the contact sheet): [`InsurerKind::contact_route`];
//! - the addressees of the report (別添5): [`InsurerKind::report_addressees`];
//! - publication under the insurer's own ordinance: [`InsurerKind::publishes_by_ordinance`].

use serde::{Deserialize, Serialize};

/// The settings key of the kind of insurer.
pub const SETTING: &str = "insurer_kind";

/// The kind of insurer, as seed 000's 「報告様式の報告先」 lists them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsurerKind {
    /// 全国健康保険協会 (協会けんぽ).
    Kyokai,
    /// 健康保険組合.
    KenpoKumiai,
    /// 国家公務員共済組合.
    KokkaKyosai,
    /// 地方公務員共済組合: 警察共済組合.
    ChikyoKeisatsu,
    /// 地方公務員共済組合: 公立学校共済組合.
    ChikyoKoritsuGakko,
    /// 地方公務員共済組合: the others.
    ChikyoOther,
    /// 私立学校教職員共済 (日本私立学校振興・共済事業団).
    Shigaku,
    /// 市町村国保.
    ShichosonKokuho,
    /// 国民健康保険組合.
    KokuhoKumiai,
    /// 後期高齢者医療広域連合.
    KoikiRengo,
}

/// How the insurer tells the operator that it found a wrong number itself.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ContactRoute {
    /// The contact sheet (連絡票, 別添3) and the fact-check sheet (確認票, 別添4).
    ContactSheet,
    /// A notice through the municipal デジタルPMO, with no personal data; the operator asks
    /// for the contents by phone (市町村国保).
    DigitalPmo,
}

impl InsurerKind {
    /// Every kind, in the order of seed 000's list.
    pub const ALL: [InsurerKind; 10] = [
        InsurerKind::Kyokai,
        InsurerKind::KenpoKumiai,
        InsurerKind::KokkaKyosai,
        InsurerKind::ChikyoKeisatsu,
        InsurerKind::ChikyoKoritsuGakko,
        InsurerKind::ChikyoOther,
        InsurerKind::Shigaku,
        InsurerKind::ShichosonKokuho,
        InsurerKind::KokuhoKumiai,
        InsurerKind::KoikiRengo,
    ];

    /// What the administrator reads when choosing.
    pub fn label_ja(self) -> &'static str {
        match self {
            InsurerKind::Kyokai => "全国健康保険協会（協会けんぽ）",
            InsurerKind::KenpoKumiai => "健康保険組合",
            InsurerKind::KokkaKyosai => "国家公務員共済組合",
            InsurerKind::ChikyoKeisatsu => "地方公務員共済組合（警察共済組合）",
            InsurerKind::ChikyoKoritsuGakko => "地方公務員共済組合（公立学校共済組合）",
            InsurerKind::ChikyoOther => "地方公務員共済組合（警察共済・公立学校共済以外）",
            InsurerKind::Shigaku => "私立学校教職員共済（私学共済）",
            InsurerKind::ShichosonKokuho => "市町村国保",
            InsurerKind::KokuhoKumiai => "国民健康保険組合",
            InsurerKind::KoikiRengo => "後期高齢者医療広域連合",
        }
    }

    /// Employee insurance (被用者保険): the members have an employer the insurer can ask.
    /// Only there do 「事業主へ確認」 and item 3 exist.
    pub fn has_employer(self) -> bool {
        !matches!(
            self,
            InsurerKind::ShichosonKokuho | InsurerKind::KokuhoKumiai | InsurerKind::KoikiRengo
        )
    }

    /// How the letters name the sender: 当協会, 当組合, 当事業団, 当広域連合, or for 市町村国保 the
    /// municipality by the last character of the insurer's name (当市, 当町, 当村, 当区).
    pub fn sender_word(self, insurer_name: &str) -> String {
        match self {
            InsurerKind::Kyokai => "当協会".into(),
            InsurerKind::Shigaku => "当事業団".into(),
            InsurerKind::KoikiRengo => "当広域連合".into(),
            InsurerKind::ShichosonKokuho => {
                let name = insurer_name.trim();
                // 「〇〇市」「〇〇市国民健康保険」: the municipality's own word.
                let muni = name
                    .trim_end_matches("国民健康保険")
                    .trim_end_matches("国保")
                    .chars()
                    .last();
                match muni {
                    Some(c @ ('市' | '町' | '村' | '区')) => format!("当{c}"),
                    _ => "当市町村".into(),
                }
            }
            InsurerKind::KenpoKumiai
            | InsurerKind::KokkaKyosai
            | InsurerKind::ChikyoKeisatsu
            | InsurerKind::ChikyoKoritsuGakko
            | InsurerKind::ChikyoOther
            | InsurerKind::KokuhoKumiai => "当組合".into(),
        }
    }

    /// How the letters name the insured people: 組合員 (共済組合), 被保険者 (国保, 広域連合),
    /// 加入者 (the others).
    pub fn person_word(self) -> &'static str {
        match self {
            InsurerKind::KokkaKyosai
            | InsurerKind::ChikyoKeisatsu
            | InsurerKind::ChikyoKoritsuGakko
            | InsurerKind::ChikyoOther => "組合員",
            InsurerKind::ShichosonKokuho | InsurerKind::KokuhoKumiai | InsurerKind::KoikiRengo => {
                "被保険者"
            }
            InsurerKind::Kyokai | InsurerKind::KenpoKumiai | InsurerKind::Shigaku => "加入者",
        }
    }

    /// The route of the first contact to the operator when the insurer finds a wrong number
    /// itself (seed 000: 「市町村国保は…デジタル PMO を通して…連絡票を提出する必要はありません」).
    pub fn contact_route(self) -> ContactRoute {
        match self {
            InsurerKind::ShichosonKokuho => ContactRoute::DigitalPmo,
            _ => ContactRoute::ContactSheet,
        }
    }

    /// To whom the report (報告様式, 別添5) goes, in order (seed 000, 「報告様式の報告先」): a
    /// chain (健保組合: 地方厚生（支）局 → 厚生労働省) or, for 広域連合, three addressees at once.
    pub fn report_addressees(self) -> Vec<&'static str> {
        match self {
            InsurerKind::Kyokai => vec!["厚生労働省保険局保険課"],
            InsurerKind::KenpoKumiai => vec!["地方厚生（支）局", "厚生労働省保険局保険課"],
            InsurerKind::KokkaKyosai => vec!["財務省主計局給与共済課"],
            InsurerKind::ChikyoKeisatsu => vec!["警察庁長官官房教養厚生課"],
            InsurerKind::ChikyoKoritsuGakko => vec!["文部科学省初等中等教育局財務課"],
            InsurerKind::ChikyoOther => vec!["総務省自治行政局公務員部福利課"],
            InsurerKind::Shigaku => vec!["文部科学省高等教育局私学部私学行政課"],
            InsurerKind::ShichosonKokuho | InsurerKind::KokuhoKumiai => vec![
                "都道府県",
                "地方厚生（支）局",
                "厚生労働省保険局国民健康保険課",
            ],
            InsurerKind::KoikiRengo => vec![
                "厚生労働省保険局高齢者医療課",
                "都道府県",
                "地方厚生（支）局",
            ],
        }
    }

    /// The addressees in words for the report form: 「A → B」 for a chain, 「A（同時に B、C）」
    /// for 広域連合.
    pub fn report_addressees_ja(self) -> String {
        let a = self.report_addressees();
        match self {
            InsurerKind::KoikiRengo => format!("{}（同時に{}にも報告）", a[0], a[1..].join("、")),
            _ => a.join(" → "),
        }
    }

    /// 市町村国保 and 広域連合 publish a case (and report) under their own ordinance.
    pub fn publishes_by_ordinance(self) -> bool {
        matches!(self, InsurerKind::ShichosonKokuho | InsurerKind::KoikiRengo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_addressees_of_the_report_as_seed_000_lists_them() {
        // Seed 000, 「報告様式の報告先」: 「全国健康保険協会：国（厚生労働省保険局保険課）」,
        // 「健保組合：地方厚生（支）局→国（厚生労働省保険局保険課）」, 「国共済：国（財務省主計局
        // 給与共済課）」, 「警察共済組合：国（警察庁長官官房教養厚生課）」, 「公立学校共済：国
        // （文部科学省初等中等教育局財務課）」, 「上記以外：国（総務省自治行政局公務員部福利課）」,
        // 「私学共済：国（文部科学省高等教育局私学部私学行政課）」, 「市町村国保：都道府県→地方
        // 厚生（支）局→国（厚生労働省保険局国民健康保険課）」, 国保組合 the same, 「広域連合は
        // 同時に都道府県、地方厚生（支）局にも報告を行う」.
        use InsurerKind::*;
        assert_eq!(Kyokai.report_addressees_ja(), "厚生労働省保険局保険課");
        assert_eq!(
            KenpoKumiai.report_addressees_ja(),
            "地方厚生（支）局 → 厚生労働省保険局保険課"
        );
        assert_eq!(KokkaKyosai.report_addressees(), ["財務省主計局給与共済課"]);
        assert_eq!(
            ChikyoKeisatsu.report_addressees(),
            ["警察庁長官官房教養厚生課"]
        );
        assert_eq!(
            ChikyoKoritsuGakko.report_addressees(),
            ["文部科学省初等中等教育局財務課"]
        );
        assert_eq!(
            ChikyoOther.report_addressees(),
            ["総務省自治行政局公務員部福利課"]
        );
        assert_eq!(
            Shigaku.report_addressees(),
            ["文部科学省高等教育局私学部私学行政課"]
        );
        for k in [ShichosonKokuho, KokuhoKumiai] {
            assert_eq!(
                k.report_addressees_ja(),
                "都道府県 → 地方厚生（支）局 → 厚生労働省保険局国民健康保険課"
            );
        }
        assert_eq!(
            KoikiRengo.report_addressees_ja(),
            "厚生労働省保険局高齢者医療課（同時に都道府県、地方厚生（支）局にも報告）"
        );
    }

    #[test]
    fn only_municipal_kokuho_reports_through_the_digital_pmo() {
        // Seed 000: 「市町村国保は、同「お知らせ機能」を利用できないため、市区町村等向けデジタル
        // PMO を通して…連絡ください。この際…個人情報を記載しないよう」「市町村国保は連絡票を
        // 提出する必要はありません」.
        for k in InsurerKind::ALL {
            let want = if k == InsurerKind::ShichosonKokuho {
                ContactRoute::DigitalPmo
            } else {
                ContactRoute::ContactSheet
            };
            assert_eq!(k.contact_route(), want, "{k:?}");
        }
    }

    #[test]
    fn publication_under_ordinance_and_the_employer_route() {
        // Seed 000: 「※市町村国保、広域連合は、各条例に基づき公表する。」
        let by_ordinance: Vec<InsurerKind> = InsurerKind::ALL
            .into_iter()
            .filter(|k| k.publishes_by_ordinance())
            .collect();
        assert_eq!(
            by_ordinance,
            [InsurerKind::ShichosonKokuho, InsurerKind::KoikiRengo]
        );
        // Item 3 「事業主で（事業主からの情報で）確認した件数」: employee insurance only.
        assert!(InsurerKind::KenpoKumiai.has_employer());
        assert!(InsurerKind::Kyokai.has_employer());
        assert!(InsurerKind::ChikyoOther.has_employer());
        assert!(!InsurerKind::ShichosonKokuho.has_employer());
        assert!(!InsurerKind::KoikiRengo.has_employer());
        assert!(!InsurerKind::KokuhoKumiai.has_employer());
    }

    #[test]
    fn letters_name_the_sender_and_the_person_as_each_kind_does() {
        use InsurerKind::*;
        assert_eq!(KenpoKumiai.sender_word("架空健康保険組合"), "当組合");
        assert_eq!(Kyokai.sender_word("全国健康保険協会 東京支部"), "当協会");
        assert_eq!(
            KoikiRengo.sender_word("架空県後期高齢者医療広域連合"),
            "当広域連合"
        );
        assert_eq!(ShichosonKokuho.sender_word("架空市"), "当市");
        assert_eq!(ShichosonKokuho.sender_word("架空町国民健康保険"), "当町");
        assert_eq!(ShichosonKokuho.sender_word("架空村"), "当村");
        assert_eq!(ShichosonKokuho.sender_word("国保"), "当市町村");
        assert_eq!(KokkaKyosai.person_word(), "組合員");
        assert_eq!(KoikiRengo.person_word(), "被保険者");
        assert_eq!(KenpoKumiai.person_word(), "加入者");
    }
}
