//! The administrative tree: fixed knowledge, not parsed (GB/T 2260 codes).

use crate::seed::model::{Region, RegionLevel};

/// Key of the Jing-Jin-Ji cooperation area.
pub const JING_JIN_JI: &str = "jing-jin-ji";
pub const BEIJING: &str = "110000";
pub const TIANJIN: &str = "120000";
pub const HEBEI: &str = "130000";
/// 雄安新区: no code given — its GB/T 2260 code is not certain enough to ship.
pub const XIONGAN: &str = "xiongan";
pub const TONGZHOU: &str = "110112";
pub const NANKAI: &str = "120104";
pub const XIQING: &str = "120111";
pub const JINGHAI: &str = "120118";

/// The 16 districts of Tianjin: code, name, English name.
const TIANJIN_DISTRICTS: [(&str, &str, &str); 16] = [
    ("120101", "和平区", "Heping District"),
    ("120102", "河东区", "Hedong District"),
    ("120103", "河西区", "Hexi District"),
    ("120104", "南开区", "Nankai District"),
    ("120105", "河北区", "Hebei District"),
    ("120106", "红桥区", "Hongqiao District"),
    ("120110", "东丽区", "Dongli District"),
    ("120111", "西青区", "Xiqing District"),
    ("120112", "津南区", "Jinnan District"),
    ("120113", "北辰区", "Beichen District"),
    ("120114", "武清区", "Wuqing District"),
    ("120115", "宝坻区", "Baodi District"),
    ("120116", "滨海新区", "Binhai New Area"),
    ("120117", "宁河区", "Ninghe District"),
    ("120118", "静海区", "Jinghai District"),
    ("120119", "蓟州区", "Jizhou District"),
];

fn region(key: &str, code: Option<&str>, name: &str, en: &str, level: RegionLevel, parent: Option<&str>) -> Region {
    Region {
        key: key.to_string(),
        code: code.map(str::to_string),
        name: name.to_string(),
        name_en: en.to_string(),
        level,
        parent_key: parent.map(str::to_string),
    }
}

/// All regions, parents before children.
pub fn all() -> Vec<Region> {
    let mut out = vec![
        region(JING_JIN_JI, None, "京津冀", "Beijing-Tianjin-Hebei (Jing-Jin-Ji)", RegionLevel::Area, None),
        region(BEIJING, Some(BEIJING), "北京市", "Beijing Municipality", RegionLevel::Province, Some(JING_JIN_JI)),
        region(TIANJIN, Some(TIANJIN), "天津市", "Tianjin Municipality", RegionLevel::Province, Some(JING_JIN_JI)),
        region(HEBEI, Some(HEBEI), "河北省", "Hebei Province", RegionLevel::Province, Some(JING_JIN_JI)),
        region(XIONGAN, None, "雄安新区", "Xiong'an New Area", RegionLevel::Prefecture, Some(HEBEI)),
        // 北京市通州区: owner of 北京市通州区生态环境局 (speaker in 002).
        region(TONGZHOU, Some(TONGZHOU), "通州区", "Tongzhou District", RegionLevel::District, Some(BEIJING)),
    ];
    out.extend(
        TIANJIN_DISTRICTS
            .iter()
            .map(|(code, name, en)| region(code, Some(code), name, en, RegionLevel::District, Some(TIANJIN))),
    );
    out
}

/// Name of a region by key (`120118` → `静海区`).
pub fn name_of(key: &str) -> Option<&'static str> {
    match key {
        JING_JIN_JI => Some("京津冀"),
        BEIJING => Some("北京市"),
        TIANJIN => Some("天津市"),
        HEBEI => Some("河北省"),
        XIONGAN => Some("雄安新区"),
        TONGZHOU => Some("通州区"),
        _ => TIANJIN_DISTRICTS.iter().find(|(c, _, _)| *c == key).map(|(_, n, _)| *n),
    }
}

/// Key of a Tianjin district by name (`滨海新区` → `120116`).
pub fn tianjin_district(name: &str) -> Option<&'static str> {
    TIANJIN_DISTRICTS.iter().find(|(_, n, _)| *n == name).map(|(c, _, _)| *c)
}
