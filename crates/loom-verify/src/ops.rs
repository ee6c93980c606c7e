//! The wasm numeric instructions the semantics cover, named as LOOM's ISLE terms name
//! them (the wasm text name with `.` → `_`: `i32_add`, `i64_extend_i32_u`), with their
//! operand and result types. Solver-free, so the rule reader and the later translation
//! validator share one table; `from_operator` maps a `wasmparser::Operator` to it.

use wasmparser::Operator;

/// A wasm number type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumType {
    I32,
    I64,
    F32,
    F64,
}

impl NumType {
    pub fn bits(self) -> u32 {
        match self {
            NumType::I32 | NumType::F32 => 32,
            NumType::I64 | NumType::F64 => 64,
        }
    }
    pub fn is_float(self) -> bool {
        matches!(self, NumType::F32 | NumType::F64)
    }
    pub fn name(self) -> &'static str {
        match self {
            NumType::I32 => "i32",
            NumType::I64 => "i64",
            NumType::F32 => "f32",
            NumType::F64 => "f64",
        }
    }
    fn parse(s: &str) -> Option<NumType> {
        Some(match s {
            "i32" => NumType::I32,
            "i64" => NumType::I64,
            "f32" => NumType::F32,
            "f64" => NumType::F64,
            _ => return None,
        })
    }
}

/// An instruction's shape: immediates first (constant bits, a load/store offset),
/// then stack operands, then at most one result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpInfo {
    /// The instruction's term name (`i32_add`).
    pub name: String,
    /// Immediate operands: the constant of `*_const` (its own type), the memory
    /// offset of loads/stores (i64).
    pub immediates: Vec<NumType>,
    /// Stack operands; `None` is the type variable of `select` (its result's type).
    pub params: Vec<Option<NumType>>,
    /// The result; `Some(None)` for `select` (same type as its operands).
    pub result: Option<Option<NumType>>,
}

const INT_BINARY: &[&str] = &[
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr",
];
/// The integer comparison operator suffixes (`eq`, `lt_s` ...).
pub const INT_COMPARE: &[&str] = &[
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];
const FLOAT_BINARY: &[&str] = &["add", "sub", "mul", "div", "min", "max", "copysign"];
const FLOAT_COMPARE: &[&str] = &["eq", "ne", "lt", "gt", "le", "ge"];
const FLOAT_UNARY: &[&str] = &["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];

/// The shape of the instruction `name`, or `None` if the semantics do not cover it.
pub fn op_info(name: &str) -> Option<OpInfo> {
    use NumType::*;
    let info = |imm: &[NumType], params: &[NumType], result: Option<NumType>| OpInfo {
        name: name.to_string(),
        immediates: imm.to_vec(),
        params: params.iter().map(|&t| Some(t)).collect(),
        result: Some(result),
    };
    if name == "select" {
        return Some(OpInfo {
            name: name.to_string(),
            immediates: vec![],
            params: vec![None, None, Some(I32)],
            result: Some(None),
        });
    }
    let (ty, rest) = name.split_once('_')?;
    let t = NumType::parse(ty)?;
    let int = !t.is_float();
    // Conversions: `<t>_<op>_<from>[_s|_u]`.
    let conversion = |from: NumType| Some(info(&[], &[from], Some(t)));
    match rest {
        "const" => return Some(info(&[t], &[], Some(t))),
        "eqz" if int => return Some(info(&[], &[t], Some(I32))),
        "clz" | "ctz" | "popcnt" | "extend8_s" | "extend16_s" if int => {
            return Some(info(&[], &[t], Some(t)))
        }
        "extend32_s" if t == I64 => return Some(info(&[], &[t], Some(t))),
        "wrap_i64" if t == I32 => return conversion(I64),
        "extend_i32_s" | "extend_i32_u" if t == I64 => return conversion(I32),
        "demote_f64" if t == F32 => return conversion(F64),
        "promote_f32" if t == F64 => return conversion(F32),
        "reinterpret_f32" if t == I32 => return conversion(F32),
        "reinterpret_f64" if t == I64 => return conversion(F64),
        "reinterpret_i32" if t == F32 => return conversion(I32),
        "reinterpret_i64" if t == F64 => return conversion(I64),
        _ => {}
    }
    if int && INT_BINARY.contains(&rest) {
        return Some(info(&[], &[t, t], Some(t)));
    }
    if int && INT_COMPARE.contains(&rest) || !int && FLOAT_COMPARE.contains(&rest) {
        return Some(info(&[], &[t, t], Some(I32)));
    }
    if !int && FLOAT_BINARY.contains(&rest) {
        return Some(info(&[], &[t, t], Some(t)));
    }
    if !int && FLOAT_UNARY.contains(&rest) {
        return Some(info(&[], &[t], Some(t)));
    }
    // `i32_trunc_f64_s`, `i32_trunc_sat_f32_u`, `f64_convert_i32_u`.
    let parts: Vec<&str> = rest.split('_').collect();
    match parts.as_slice() {
        ["trunc", from, "s" | "u"] | ["trunc", "sat", from, "s" | "u"] if int => {
            let from = NumType::parse(from).filter(|f| f.is_float())?;
            return conversion(from);
        }
        ["convert", from, "s" | "u"] if !int => {
            let from = NumType::parse(from).filter(|f| !f.is_float())?;
            return conversion(from);
        }
        _ => {}
    }
    // Memory: `i32_load`, `i64_load16_u`, `f32_store`, `i64_store32`.
    if let Some(access) = memory_access(name) {
        return Some(if access.store {
            OpInfo {
                name: name.to_string(),
                immediates: vec![I64],
                params: vec![Some(I32), Some(t)],
                result: None,
            }
        } else {
            info(&[I64], &[I32], Some(t))
        });
    }
    None
}

/// Every instruction name [`op_info`] covers.
pub fn all_names() -> Vec<String> {
    let suffixes = INT_BINARY
        .iter()
        .chain(INT_COMPARE)
        .chain(FLOAT_BINARY)
        .chain(FLOAT_COMPARE)
        .chain(FLOAT_UNARY)
        .copied()
        .chain([
            "const",
            "eqz",
            "clz",
            "ctz",
            "popcnt",
            "extend8_s",
            "extend16_s",
            "extend32_s",
            "wrap_i64",
            "extend_i32_s",
            "extend_i32_u",
            "demote_f64",
            "promote_f32",
        ])
        .map(str::to_string)
        .chain(["i32", "i64", "f32", "f64"].iter().flat_map(|from| {
            ["reinterpret_", "trunc_", "trunc_sat_", "convert_"]
                .iter()
                .flat_map(move |op| {
                    ["", "_s", "_u"]
                        .iter()
                        .map(move |sign| format!("{op}{from}{sign}"))
                })
        }))
        .chain(["load", "store"].iter().flat_map(|op| {
            [
                "", "8", "16", "32", "8_s", "8_u", "16_s", "16_u", "32_s", "32_u",
            ]
            .iter()
            .map(move |w| format!("{op}{w}"))
        }))
        .collect::<Vec<_>>();
    let mut names: Vec<String> = ["i32", "i64", "f32", "f64"]
        .iter()
        .flat_map(|t| suffixes.iter().map(move |s| format!("{t}_{s}")))
        .filter(|n| op_info(n).is_some())
        .collect();
    names.push("select".into());
    names.sort();
    names.dedup();
    names
}

/// What a load or store instruction touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryAccess {
    pub store: bool,
    /// Bytes accessed.
    pub bytes: u32,
    /// A narrow load that sign-extends.
    pub signed: bool,
}

/// The access of a load/store term name, `None` for other instructions.
pub fn memory_access(name: &str) -> Option<MemoryAccess> {
    let (ty, rest) = name.split_once('_')?;
    let t = NumType::parse(ty)?;
    let (store, rest) = if let Some(r) = rest.strip_prefix("load") {
        (false, r)
    } else {
        (true, rest.strip_prefix("store")?)
    };
    let (width, sign) = match rest.split_once('_') {
        Some((w, sign)) => (w, Some(sign)),
        None => (rest, None),
    };
    let (bytes, signed) = if width.is_empty() {
        if sign.is_some() {
            return None;
        }
        (t.bits() / 8, false)
    } else {
        let bits: u32 = width.parse().ok()?;
        let narrow = !t.is_float() && (bits == 8 || bits == 16 || bits == 32 && t == NumType::I64);
        let sign_ok = if store {
            sign.is_none()
        } else {
            matches!(sign, Some("s" | "u"))
        };
        if !narrow || !sign_ok {
            return None;
        }
        (bits / 8, sign == Some("s"))
    };
    Some(MemoryAccess {
        store,
        bytes,
        signed,
    })
}

/// `I64ExtendI32U` → `i64_extend_i32_u`: wasmparser's operator names (and the operator
/// enum variants of ISLE rules) to term names.
pub fn snake_name(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A wasm instruction as the semantics see it: its term name and its immediates as
/// bit patterns (constant bits, memory offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instr {
    pub name: String,
    pub immediates: Vec<u64>,
}

/// The covered instruction a wasmparser operator is, if any.
pub fn from_operator(op: &Operator<'_>) -> Option<Instr> {
    let immediates = match op {
        Operator::I32Const { value } => vec![*value as u32 as u64],
        Operator::I64Const { value } => vec![*value as u64],
        Operator::F32Const { value } => vec![value.bits() as u64],
        Operator::F64Const { value } => vec![value.bits()],
        Operator::Select => vec![],
        _ => {
            let debug = format!("{op:?}");
            let variant = debug.split([' ', '{', '(']).next()?;
            let name = snake_name(variant);
            let info = op_info(&name)?;
            if memory_access(&name).is_some() {
                let memarg = match op {
                    Operator::I32Load { memarg }
                    | Operator::I64Load { memarg }
                    | Operator::F32Load { memarg }
                    | Operator::F64Load { memarg }
                    | Operator::I32Load8S { memarg }
                    | Operator::I32Load8U { memarg }
                    | Operator::I32Load16S { memarg }
                    | Operator::I32Load16U { memarg }
                    | Operator::I64Load8S { memarg }
                    | Operator::I64Load8U { memarg }
                    | Operator::I64Load16S { memarg }
                    | Operator::I64Load16U { memarg }
                    | Operator::I64Load32S { memarg }
                    | Operator::I64Load32U { memarg }
                    | Operator::I32Store { memarg }
                    | Operator::I64Store { memarg }
                    | Operator::F32Store { memarg }
                    | Operator::F64Store { memarg }
                    | Operator::I32Store8 { memarg }
                    | Operator::I32Store16 { memarg }
                    | Operator::I64Store8 { memarg }
                    | Operator::I64Store16 { memarg }
                    | Operator::I64Store32 { memarg } => memarg,
                    _ => return None,
                };
                // Only plain accesses to memory 0 are modelled.
                if memarg.target != wasmparser::MemArgTarget::Memory(0) || memarg.ordering.is_some()
                {
                    return None;
                }
                return Some(Instr {
                    name,
                    immediates: vec![memarg.offset],
                });
            }
            debug_assert!(info.immediates.is_empty());
            return Some(Instr {
                name,
                immediates: vec![],
            });
        }
    };
    Some(Instr {
        name: snake_name(format!("{op:?}").split([' ', '{', '(']).next()?),
        immediates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake_name("I64ExtendI32U"), "i64_extend_i32_u");
        assert_eq!(snake_name("I32Extend8S"), "i32_extend8_s");
        assert_eq!(snake_name("I32TruncSatF64U"), "i32_trunc_sat_f64_u");
        assert_eq!(snake_name("I64Load32S"), "i64_load32_s");
        assert_eq!(
            memory_access("i64_load32_s"),
            Some(MemoryAccess {
                store: false,
                bytes: 4,
                signed: true
            })
        );
        assert_eq!(
            memory_access("i32_store16"),
            Some(MemoryAccess {
                store: true,
                bytes: 2,
                signed: false
            })
        );
        assert_eq!(memory_access("f64_load").map(|a| a.bytes), Some(8));
        assert!(op_info("i32_trunc_sat_f64_u").is_some());
        assert!(op_info("f32_convert_i64_u").is_some());
        assert!(op_info("i32_extend32_s").is_none());
        assert!(op_info("f32_clz").is_none());
        // 2 × (15 + 10 + 3 + 2 + 1) int ops, extend32, 2 × (7 + 6 + 7) float ops,
        // 4 consts, 33 conversions, 14 loads, 9 stores, select.
        assert_eq!(all_names().len(), 62 + 1 + 40 + 4 + 33 + 14 + 9 + 1);
        assert_eq!(
            from_operator(&Operator::I32Const { value: -1 }),
            Some(Instr {
                name: "i32_const".into(),
                immediates: vec![0xffff_ffff]
            })
        );
        assert_eq!(
            from_operator(&Operator::I64ExtendI32U).map(|i| i.name),
            Some("i64_extend_i32_u".into())
        );
    }
}
