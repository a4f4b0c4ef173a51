//! The load generator's form handling: the CSRF token in a page, and form encoding.

/// Finds the `value` of the `<input>` whose name is `csrf_token`, in either
/// attribute order.
pub fn extract_csrf_token(html: &str) -> Option<String> {
    let mut search_from = 0;
    while let Some(found) = html[search_from..].find("name=\"csrf_token\"") {
        let at = search_from + found;
        let tag_start = html[..at].rfind('<')?;
        let tag_end = at + html[at..].find('>')?;
        let tag = &html[tag_start..tag_end];
        if let Some(v) = tag.find("value=\"") {
            let rest = &tag[v + "value=\"".len()..];
            let end = rest.find('"')?;
            return Some(html_unescape(&rest[..end]));
        }
        search_from = tag_end;
    }
    None
}

fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#43;", "+")
        .replace("&#x2B;", "+")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#61;", "=")
        .replace("&#x3D;", "=")
        .replace("&amp;", "&")
}

/// `application/x-www-form-urlencoded` encoding of the given pairs.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(256);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(key, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

fn encode_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0x0f) as usize] as char);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token_in_either_attribute_order() {
        let a = r#"<form><input type="hidden" name="csrf_token" value="abc-123_x"></form>"#;
        let b = r#"<input value="t&amp;k" type="hidden" name="csrf_token" />"#;
        assert_eq!(extract_csrf_token(a).as_deref(), Some("abc-123_x"));
        assert_eq!(extract_csrf_token(b).as_deref(), Some("t&k"));
        assert_eq!(
            extract_csrf_token("<input name=\"other\" value=\"x\">"),
            None
        );
    }

    #[test]
    fn encodes_form() {
        let body = form_body(&[("full_name", "Bench Person 1"), ("email", "a+b@x.test")]);
        assert_eq!(body, "full_name=Bench+Person+1&email=a%2Bb%40x.test");
    }
}
