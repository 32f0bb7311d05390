//! Responsible units: canonical names, aliases, kinds and parents.
//!
//! Canonical names are qualified by the region the text abbreviates: in a
//! district plan `区发改委` is `静海区发展改革委`; in city texts `市规划资源局`
//! is `天津市规划和自然资源局`. Only abbreviations that certainly name the same
//! unit are expanded (发改委 = 发展改革委, 工信局 = 工业和信息化局,
//! 规划资源局 = 规划和自然资源局, 城管委 = 城市管理委); everything else keeps the
//! spelling of the text.

use std::collections::BTreeMap;

use crate::seed::model::{Department, DepartmentKind};

use super::regions;

/// Key of a department: `<region key>/<canonical name>`.
pub fn key_of(region: &str, name: &str) -> String {
    format!("{region}/{name}")
}

/// Key of the Tianjin municipal government.
pub fn tianjin_government() -> String {
    key_of(regions::TIANJIN, "天津市人民政府")
}

/// Canonical identity of a written unit name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canon {
    pub name: String,
    pub region: String,
    pub kind: DepartmentKind,
    pub parent: Option<String>,
}

/// Units whose canonical name is not derivable from the spelling alone.
fn fixed(written: &str) -> Option<Canon> {
    use DepartmentKind::*;
    let plan_bureau = Some(key_of(regions::TIANJIN, "天津市规划和自然资源局"));
    let (name, region, kind, parent) = match written {
        "公安静海分局" => ("天津市公安局静海分局", regions::JINGHAI, Bureau, None),
        "市规划资源局静海分局" => ("天津市规划和自然资源局静海分局", regions::JINGHAI, Bureau, plan_bureau),
        "市规划资源局南开分局" => ("天津市规划和自然资源局南开分局", regions::NANKAI, Bureau, plan_bureau),
        // The text does not say which districts the branch serves.
        "市邮政管理局第三分局" => ("天津市邮政管理局第三分局", regions::TIANJIN, Bureau, None),
        "市政府" | "天津市人民政府" => ("天津市人民政府", regions::TIANJIN, Government, None),
        "北京市生态环境局" => ("北京市生态环境局", regions::BEIJING, Bureau, None),
        "河北省生态环境厅" => ("河北省生态环境厅", regions::HEBEI, Bureau, None),
        "北京市通州区生态环境局" => ("通州区生态环境局", regions::TONGZHOU, Bureau, None),
        "河北雄安新区管理委员会生态环境局" => {
            ("雄安新区管理委员会生态环境局", regions::XIONGAN, Bureau, None)
        }
        "京津冀生态环境联防联控工作协调小组" => {
            ("京津冀生态环境联防联控工作协调小组", regions::JING_JIN_JI, Collective, None)
        }
        _ => return None,
    };
    Some(Canon { name: name.to_string(), region: region.to_string(), kind, parent })
}

/// Expands the abbreviations that certainly name the same unit.
fn expand(rest: &str) -> String {
    let mut s = rest.to_string();
    if !s.contains("发展改革委") {
        s = s.replace("发改委", "发展改革委");
    }
    s.replace("工信局", "工业和信息化局").replace("规划资源局", "规划和自然资源局").replace("城管委", "城市管理委")
}

fn kind_of(name: &str) -> DepartmentKind {
    let bare = name.trim_start_matches(|c: char| c != '各').to_string();
    if name.contains("成员单位") || bare.starts_with('各') {
        DepartmentKind::Collective
    } else if name.ends_with("人民政府") || name.ends_with('镇') || name.ends_with('乡') {
        DepartmentKind::Government
    } else if name.contains("有限公司") {
        DepartmentKind::Enterprise
    } else {
        // Bureaus, committees, offices, and the administrative bodies of
        // development zones and reserves (派出机构 of the district government).
        DepartmentKind::Bureau
    }
}

/// The canonical identity of `written` as printed in a text about `region`.
pub fn canonical(written: &str, region: &str) -> Canon {
    if let Some(c) = fixed(written) {
        return c;
    }
    let district = regions::name_of(region).filter(|n| n.ends_with('区')).unwrap_or("");
    // Full names with their own region (`天津市静海区人民政府`, `宁河区生态环境局`).
    let without_city = written.strip_prefix("天津市").unwrap_or(written);
    let own_district = ["静海区", "西青区", "南开区", "宁河区", "滨海新区"]
        .into_iter()
        .find(|d| without_city.starts_with(d) && without_city.len() > d.len());
    let (name, region) = if let Some(d) = own_district {
        let key = regions::tianjin_district(d).unwrap_or(regions::TIANJIN);
        (expand(without_city), key.to_string())
    } else if written.starts_with("天津市") {
        (expand(written), regions::TIANJIN.to_string())
    } else if let Some(rest) = written.strip_prefix('市') {
        (format!("天津市{}", expand(rest)), regions::TIANJIN.to_string())
    } else if let Some(rest) = written.strip_prefix('区') {
        (format!("{district}{}", expand(rest)), region.to_string())
    } else if written.starts_with('各') || written.starts_with("有关") {
        let normal = if written.starts_with("有关") { format!("各{written}") } else { written.to_string() };
        (format!("{district}{normal}"), region.to_string())
    } else {
        (written.to_string(), region.to_string())
    };
    let kind = kind_of(&name);
    let district_of_name = regions::name_of(&region).unwrap_or("");
    let parent = match kind {
        DepartmentKind::Government if name.ends_with("区人民政府") || name == "滨海新区人民政府" => {
            Some(tianjin_government())
        }
        DepartmentKind::Government | DepartmentKind::Bureau | DepartmentKind::Collective
            if region != regions::TIANJIN
                && !name.contains("区委")
                && !name.contains("领导小组")
                && !name.ends_with("人民政府") =>
        {
            Some(key_of(&region, &format!("{district_of_name}人民政府")))
        }
        DepartmentKind::Bureau if region == regions::TIANJIN => Some(tianjin_government()),
        _ => None,
    };
    Canon { name, region, kind, parent }
}

/// Departments met so far, by key.
#[derive(Debug, Default)]
pub struct Registry {
    map: BTreeMap<String, Department>,
}

impl Registry {
    /// Registers the unit written `written` in a text about `region`; returns its key.
    pub fn resolve(&mut self, written: &str, region: &str) -> String {
        let c = canonical(written, region);
        let key = key_of(&c.region, &c.name);
        let dept = self.map.entry(key.clone()).or_insert_with(|| Department {
            key: key.clone(),
            name: c.name.clone(),
            kind: c.kind,
            region_key: c.region.clone(),
            parent_key: c.parent.clone(),
            aliases: Vec::new(),
        });
        if written != dept.name && !dept.aliases.iter().any(|a| a == written) {
            dept.aliases.push(written.to_string());
        }
        key
    }

    /// All departments, parents before children (then by key); parents that
    /// are not in the dataset are dropped.
    pub fn into_departments(self) -> Vec<Department> {
        let keys: Vec<String> = self.map.keys().cloned().collect();
        let mut out: Vec<Department> = self
            .map
            .into_values()
            .map(|mut d| {
                if d.parent_key.as_ref().is_some_and(|p| !keys.contains(p)) {
                    d.parent_key = None;
                }
                d.aliases.sort();
                d
            })
            .collect();
        let depth = |d: &Department| {
            let mut n = 0;
            let mut parent = d.parent_key.clone();
            while let Some(p) = parent {
                n += 1;
                parent = out.iter().find(|x| x.key == p).and_then(|x| x.parent_key.clone());
                if n > out.len() {
                    break;
                }
            }
            n
        };
        let depths: Vec<usize> = out.iter().map(depth).collect();
        let mut indexed: Vec<(usize, Department)> = depths.into_iter().zip(out.drain(..)).collect();
        indexed.sort_by_key(|(depth, _)| *depth);
        indexed.into_iter().map(|(_, d)| d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names() {
        let c = canonical("区发改委", regions::JINGHAI);
        assert_eq!(c.name, "静海区发展改革委");
        assert_eq!(c, canonical("区发展改革委", regions::JINGHAI));
        assert_eq!(c, canonical("静海区发改委", regions::JINGHAI));
        assert_eq!(c.parent.as_deref(), Some("120118/静海区人民政府"));
        assert_eq!(canonical("区工信局", regions::JINGHAI).name, "静海区工业和信息化局");
        assert_eq!(canonical("市规划资源局", regions::TIANJIN).name, "天津市规划和自然资源局");
        assert_eq!(canonical("天津市规划和自然资源局", regions::TIANJIN), canonical("市规划资源局", regions::TIANJIN));
        assert_eq!(canonical("有关乡镇园区", regions::JINGHAI).name, "静海区各有关乡镇园区");
        assert_eq!(canonical("各乡镇园区", regions::JINGHAI).kind, DepartmentKind::Collective);
        assert_eq!(canonical("唐官屯镇", regions::JINGHAI).kind, DepartmentKind::Government);
        assert_eq!(canonical("国网天津静海供电有限公司", regions::JINGHAI).kind, DepartmentKind::Enterprise);
        assert_eq!(canonical("天津子牙经济技术开发区", regions::JINGHAI).kind, DepartmentKind::Bureau);
        let gov = canonical("天津市静海区人民政府", regions::JINGHAI);
        assert_eq!((gov.name.as_str(), gov.kind), ("静海区人民政府", DepartmentKind::Government));
        assert_eq!(gov.parent, Some(tianjin_government()));
        let ninghe = canonical("宁河区生态环境局", regions::TIANJIN);
        assert_eq!((ninghe.name.as_str(), ninghe.region.as_str()), ("宁河区生态环境局", "120117"));
        assert_eq!(canonical("区委宣传部", regions::JINGHAI).parent, None);
    }
}
