//! CIDR arithmetic for IPv4 and IPv6. Addresses are handled as `u128` so both families
//! share one implementation; a prefix written with host bits set (`10.0.0.1/16`) means its
//! network, as in Terraform.

use super::args::{self, err};
use super::{Arity, FuncContext, FuncError, Prim, Ret, Spec};
use crate::lang::Value;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

type R = Result<Value, FuncError>;

pub(super) const SPECS: &[Spec] = &[
    Spec::new("cidrhost", Arity::Exact(2), Ret::String, cidrhost),
    Spec::new("cidrnetmask", Arity::Exact(1), Ret::String, cidrnetmask),
    Spec::new("cidrsubnet", Arity::Exact(3), Ret::String, cidrsubnet),
    Spec::new(
        "cidrsubnets",
        Arity::AtLeast(1),
        Ret::ListOf(Prim::String),
        cidrsubnets,
    ),
];

/// A parsed prefix: its network address as a number, prefix length and family width.
struct Net {
    base: u128,
    len: u32,
    bits: u32,
    /// Parsed from an IPv4-mapped IPv6 prefix (its netmask is printed as IPv6).
    mapped: bool,
}

impl Net {
    /// A bad address fails the call, as in Terraform (cidrsubnets makes it an argument
    /// error).
    fn parse(args: &[Value], i: usize) -> Result<Net, FuncError> {
        let s = args::string(args, i)?;
        let net: IpNet = s.parse().map_err(|_| {
            FuncError::Other(format!(
                "invalid CIDR expression: invalid CIDR address: {s}"
            ))
        })?;
        let net = net.trunc();
        // Go parses an IPv4-mapped IPv6 prefix (`::ffff:10.0.0.0/104`) as the IPv4 prefix
        // it maps, so Terraform's results are IPv4 (`10.0.0.0/8`).
        if let IpNet::V6(v6) = net {
            if let (Some(v4), Some(len)) = (
                v6.network().to_ipv4_mapped(),
                v6.prefix_len().checked_sub(96),
            ) {
                return Ok(Net {
                    base: u128::from(u32::from(v4)),
                    len: u32::from(len),
                    bits: 32,
                    mapped: true,
                });
            }
        }
        Ok(Net {
            base: to_u128(net.network()),
            len: u32::from(net.prefix_len()),
            bits: u32::from(net.max_prefix_len()),
            mapped: false,
        })
    }

    /// Number of addresses in a block of prefix length `len` (`None`: the whole IPv6 space).
    fn block(&self, len: u32) -> Option<u128> {
        1u128.checked_shl(self.bits - len)
    }

    fn addr(&self, v: u128) -> IpAddr {
        if self.bits == 32 {
            IpAddr::V4(Ipv4Addr::from(v as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(v))
        }
    }

    fn cidr(&self, v: u128, len: u32) -> String {
        format!("{}/{len}", self.addr(v))
    }

    fn family(&self) -> &'static str {
        if self.bits == 32 {
            "IPv4"
        } else {
            "IPv6"
        }
    }
}

fn to_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn newbits(args: &[Value], i: usize) -> Result<u32, FuncError> {
    let n = args::integer(args, i)?;
    u32::try_from(n).map_err(|_| err(i, "the number of additional bits must not be negative"))
}

fn cidrsubnet(args: Vec<Value>, _: &FuncContext) -> R {
    let net = Net::parse(&args, 0)?;
    let extra = newbits(&args, 1)?;
    // Terraform reads netnum as a big integer: IPv6 subnet numbers exceed 64 bits.
    let n = args::number(&args, 2)?;
    let netnum = n
        .to_big_int()
        .and_then(|b| i128::try_from(b).ok())
        .ok_or_else(|| err(2, format!("value must be a whole number, got {n}")))?;
    let len = net.len + extra;
    if len > net.bits {
        return Err(FuncError::Other(format!(
            "insufficient address space to extend prefix of {} by {extra}",
            net.len
        )));
    }
    let fits = netnum >= 0 && (extra >= 127 || netnum < (1i128 << extra));
    if !fits {
        return Err(FuncError::Other(format!(
            "prefix extension of {extra} does not accommodate a subnet numbered {netnum}"
        )));
    }
    let offset = (netnum as u128).checked_shl(net.bits - len).unwrap_or(0);
    Ok(Value::String(net.cidr(net.base | offset, len)))
}

/// `cidrhost(prefix, hostnum)`; a negative `hostnum` counts back from the last address.
fn cidrhost(args: Vec<Value>, _: &FuncContext) -> R {
    let net = Net::parse(&args, 0)?;
    let hostnum = args::integer(&args, 1)?;
    let size = net.block(net.len);
    let index = if hostnum >= 0 {
        let h = hostnum as u128;
        size.is_none_or(|s| h < s).then_some(h)
    } else {
        let back = hostnum.unsigned_abs() as u128;
        match size {
            Some(s) => s.checked_sub(back),
            None => Some(u128::MAX - (back - 1)),
        }
    };
    let Some(index) = index else {
        return Err(FuncError::Other(format!(
            "prefix of {} does not accommodate a host numbered {hostnum}",
            net.len
        )));
    };
    Ok(Value::String(net.addr(net.base + index).to_string()))
}

fn cidrnetmask(args: Vec<Value>, _: &FuncContext) -> R {
    let net = Net::parse(&args, 0)?;
    if net.bits != 32 {
        return Err(FuncError::Other(format!(
            "IPv6 addresses cannot have a netmask: {}",
            args::string(&args, 0)?
        )));
    }
    if net.mapped {
        let mask = u128::MAX.checked_shl(32 - net.len).unwrap_or(0);
        return Ok(Value::String(Ipv6Addr::from(mask).to_string()));
    }
    let mask = (u32::MAX).checked_shl(32 - net.len).unwrap_or(0);
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

/// Allocates consecutive subnets of the given sizes, each aligned to its own size, as
/// Terraform does (so `cidrsubnets("10.0.0.0/8", 8, 4)` skips to `10.16.0.0/12`).
fn cidrsubnets(args: Vec<Value>, _: &FuncContext) -> R {
    let net = Net::parse(&args, 0).map_err(|e| match e {
        FuncError::Other(m) => err(0, m),
        e => e,
    })?;
    // The end of the prefix, exclusive; `None` when it is the end of the address space.
    let end = net.block(net.len).and_then(|s| net.base.checked_add(s));
    let mut next = Some(net.base);
    let mut prev: Option<String> = None;
    let mut out = Vec::with_capacity(args.len() - 1);
    for i in 1..args.len() {
        let extra = newbits(&args, i)?;
        let len = net.len + extra;
        if len > net.bits {
            return Err(err(
                i,
                format!(
                    "would extend prefix to {len} bits, which is too long for an {} address",
                    net.family()
                ),
            ));
        }
        let block = net.block(len);
        // Round the next free address up to this block size.
        let start = match (next, block) {
            (Some(n), Some(b)) => n.checked_add(b - 1).map(|x| x / b * b),
            (Some(n), None) => (n == 0).then_some(0),
            (None, _) => None,
        };
        let stop = start.and_then(|s| match block {
            Some(b) => s.checked_add(b),
            None => None,
        });
        let fits = match (start, end) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(_), Some(e)) => stop.is_some_and(|s| s <= e),
        };
        let Some(start) = start.filter(|_| fits) else {
            let after = prev.clone().unwrap_or_else(|| net.cidr(net.base, net.len));
            return Err(err(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {len} \
                     bits after {after}"
                ),
            ));
        };
        let cidr = net.cidr(start, len);
        out.push(Value::String(cidr.clone()));
        prev = Some(cidr);
        next = stop;
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{arg_err, call_err, n, ok, s, strs};

    #[test]
    fn cidrsubnet_examples() {
        let sub = |p: &str, b: f64, num: f64| ok("cidrsubnet", vec![s(p), n(b), n(num)]);
        assert_eq!(sub("10.0.0.0/16", 8.0, 101.0), s("10.0.101.0/24"));
        assert_eq!(sub("10.0.0.0/16", 8.0, 2.0), s("10.0.2.0/24"));
        assert_eq!(sub("172.16.0.0/12", 4.0, 2.0), s("172.18.0.0/16"));
        assert_eq!(sub("10.1.2.0/24", 4.0, 15.0), s("10.1.2.240/28"));
        assert_eq!(
            sub("fd00:fd12:3456:7890::/56", 16.0, 162.0),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(sub("10.0.0.5/16", 0.0, 0.0), s("10.0.0.0/16"));
        assert_eq!(
            call_err("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(300.0)]),
            "prefix extension of 8 does not accommodate a subnet numbered 300"
        );
        assert_eq!(
            call_err("cidrsubnet", vec![s("10.0.0/16"), n(8.0), n(1.0)]),
            "invalid CIDR expression: invalid CIDR address: 10.0.0/16"
        );
        assert!(
            call_err("cidrsubnet", vec![s("10.0.0.0/16"), n(20.0), n(1.0)])
                .contains("insufficient")
        );
        assert!(
            call_err("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(-1.0)]).contains("numbered -1")
        );
    }

    #[test]
    fn cidrhost_counts_from_either_end() {
        let host = |p: &str, h: f64| ok("cidrhost", vec![s(p), n(h)]);
        assert_eq!(host("10.12.112.0/20", 16.0), s("10.12.112.16"));
        assert_eq!(host("10.12.112.0/20", 268.0), s("10.12.113.12"));
        assert_eq!(host("10.0.0.0/24", -1.0), s("10.0.0.255"));
        assert_eq!(host("10.0.0.0/24", -256.0), s("10.0.0.0"));
        assert_eq!(
            host("fd00:fd12:3456:7890:00a2::/72", 34.0),
            s("fd00:fd12:3456:7890::22")
        );
        assert!(
            call_err("cidrhost", vec![s("10.0.0.0/24"), n(256.0)]).contains("host numbered 256")
        );
        assert!(call_err("cidrhost", vec![s("10.0.0.0/24"), n(-257.0)]).contains("-257"));
    }

    #[test]
    fn netmask_and_subnets() {
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(ok("cidrnetmask", vec![s("10.0.0.0/0")]), s("0.0.0.0"));
        assert!(call_err("cidrnetmask", vec![s("fd00::/8")]).contains("IPv6"));
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
            ),
            strs(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![
                    s("fd00:fd12:3456:7890::/56"),
                    n(16.0),
                    n(16.0),
                    n(16.0),
                    n(32.0)
                ]
            ),
            strs(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ])
        );
        assert!(arg_err(
            "cidrsubnets",
            vec![s("10.0.0.0/24"), n(1.0), n(1.0), n(1.0)]
        )
        .contains("not enough remaining address space"));
        assert!(arg_err("cidrsubnets", vec![s("10.0.0.0/24"), n(9.0)]).contains("33 bits"));
    }
}
