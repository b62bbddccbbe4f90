//! The benchmark results: read from the `bench` lines of a serial log, printed as
//! an aligned table beside reference figures measured under the same QEMU
//! settings (/work/shared/bench/README.md), and written as JSON for tracking over
//! time.

/// Row: CALL + REPLY_RECEIVE between two address spaces, 0 words (the headline).
pub const INTER_ADDRESS_SPACE: &str = "ipc round trip (inter address space, 0 words)";
/// Row: the same round trip on a kernel without the IPC fastpath.
pub const SLOW_PATH: &str = "ipc round trip (slow path, inter address space, 0 words)";
/// Every row the benchmark program prints, in its order.
pub const GUEST_ROWS: [&str; 7] = [
    INTER_ADDRESS_SPACE,
    "ipc round trip (same address space, 0 words)",
    "ipc round trip (same address space, 4 words)",
    "ipc round trip (same address space, 10 words)",
    "notification round trip",
    "null kernel call (YIELD, nothing else ready)",
    "fault delivery + reply round trip",
];

/// Reference figures, in instructions under the same QEMU settings: seL4's
/// sel4bench IPC results and Linux's getpid (/work/shared/bench/README.md).
const REFERENCES: [(&str, &str); 5] = [
    (INTER_ADDRESS_SPACE, "seL4 395"),
    ("ipc round trip (same address space, 0 words)", "seL4 391"),
    (SLOW_PATH, "seL4 1,386 (fastpath off)"),
    (
        "ipc round trip (same address space, 10 words)",
        "seL4 802 (10-word slow-path Call, one way only)",
    ),
    (
        "null kernel call (YIELD, nothing else ready)",
        "Linux getpid 351",
    ),
];

/// One `bench` line of the serial log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measurement {
    /// The row's name.
    pub name: String,
    /// Fastest iteration, in instructions, overhead subtracted.
    pub minimum: u64,
    /// Median iteration, in instructions, overhead subtracted.
    pub median: u64,
    /// The median of the timing code alone (the `bench-overhead` line), if printed.
    pub overhead: Option<u64>,
}

/// A row of the table: a measurement, the kernel it ran on, and its reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// What was measured.
    pub measurement: Measurement,
    /// The kernel's feature set (`default` or `no-fastpath`).
    pub kernel: String,
    /// A remark printed under the table (e.g. why a row is not what it says).
    pub note: Option<String>,
}

impl Row {
    /// The reference figure for this row, if one exists (the POSIX rows' Linux
    /// figures are in `posix_benchmark`).
    #[must_use]
    pub fn reference(&self) -> Option<&'static str> {
        REFERENCES
            .iter()
            .find(|(name, _)| *name == self.measurement.name)
            .map(|(_, reference)| *reference)
            .or_else(|| crate::posix_benchmark::linux_reference(&self.measurement.name))
    }
}

/// Reads `bench NAME: min M median D instructions` and
/// `bench-overhead NAME: O instructions` lines, in log order.
#[must_use]
pub fn parse_log(log: &str) -> Vec<Measurement> {
    let mut overheads: Vec<(String, u64)> = Vec::new();
    let mut measurements = Vec::new();
    for line in log.lines().map(str::trim) {
        if let Some((name, rest)) = line
            .strip_prefix("bench-overhead ")
            .and_then(|rest| rest.rsplit_once(": "))
            && let Some(overhead) = rest
                .strip_suffix(" instructions")
                .and_then(|number| number.parse().ok())
        {
            overheads.push((name.to_owned(), overhead));
        } else if let Some((name, rest)) = line
            .strip_prefix("bench ")
            .and_then(|rest| rest.rsplit_once(": min "))
            && let Some((minimum, median)) = rest
                .strip_suffix(" instructions")
                .and_then(|numbers| numbers.split_once(" median "))
            && let (Ok(minimum), Ok(median)) = (minimum.parse(), median.parse())
        {
            let overhead = overheads
                .iter()
                .rev()
                .find(|(overhead_name, _)| overhead_name == name)
                .map(|(_, overhead)| *overhead);
            measurements.push(Measurement {
                name: name.to_owned(),
                minimum,
                median,
                overhead,
            });
        }
    }
    measurements
}

/// Groups digits in threes with commas (1386 -> "1,386").
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The table: one line per row, columns aligned, notes below.
#[must_use]
pub fn format_table(rows: &[Row]) -> String {
    let headers = [
        "benchmark (instructions)",
        "min",
        "median",
        "reference (same QEMU settings)",
    ];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|row| {
            let name = if row.note.is_some() {
                format!("{} *", row.measurement.name)
            } else {
                row.measurement.name.clone()
            };
            [
                name,
                grouped(row.measurement.minimum),
                grouped(row.measurement.median),
                row.reference().unwrap_or("-").to_owned(),
            ]
        })
        .collect();
    let width = |column: usize| {
        cells
            .iter()
            .map(|cell| cell[column].len())
            .chain([headers[column].len()])
            .max()
            .unwrap_or(0)
    };
    let (name_width, minimum_width, median_width) = (width(0), width(1), width(2));
    let line = |cell: [&str; 4]| {
        format!(
            "{:<name_width$}  {:>minimum_width$}  {:>median_width$}  {}",
            cell[0], cell[1], cell[2], cell[3]
        )
        .trim_end()
        .to_owned()
    };
    let mut out = line(headers);
    out.push('\n');
    for cell in &cells {
        out.push_str(&line([&cell[0], &cell[1], &cell[2], &cell[3]]));
        out.push('\n');
    }
    for row in rows {
        if let Some(note) = &row.note {
            out.push_str(&format!("* {}: {note}\n", row.measurement.name));
        }
    }
    out
}

/// `ipc round trip (inter address space, 0 words): N instructions`, N the median.
#[must_use]
pub fn headline(rows: &[Row]) -> Option<String> {
    rows.iter()
        .find(|row| row.measurement.name == INTER_ADDRESS_SPACE)
        .map(|row| {
            format!(
                "{INTER_ADDRESS_SPACE}: {} instructions",
                row.measurement.median
            )
        })
}

/// A JSON string literal of `text`.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            character if u32::from(character) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(character)));
            }
            character => out.push(character),
        }
    }
    out.push('"');
    out
}

/// What the JSON records besides the rows.
pub struct RunContext<'a> {
    /// The commit the figures were measured at (and whether the tree was clean).
    pub commit: &'a str,
    /// QEMU's version line.
    pub emulator: &'a str,
    /// How the figures were obtained.
    pub method: &'a str,
}

/// The rows as a JSON document.
#[must_use]
pub fn to_json(rows: &[Row], context: &RunContext<'_>) -> String {
    let optional_number =
        |value: Option<u64>| value.map_or_else(|| "null".to_owned(), |number| number.to_string());
    let optional_string =
        |value: Option<&str>| value.map_or_else(|| "null".to_owned(), json_string);
    let mut out = String::from("{\n");
    out.push_str("  \"unit\": \"instructions\",\n");
    out.push_str(&format!("  \"commit\": {},\n", json_string(context.commit)));
    out.push_str(&format!(
        "  \"emulator\": {},\n",
        json_string(context.emulator)
    ));
    out.push_str(&format!("  \"method\": {},\n", json_string(context.method)));
    out.push_str("  \"rows\": [\n");
    for (index, row) in rows.iter().enumerate() {
        let measurement = &row.measurement;
        out.push_str(&format!(
            "    {{\"name\": {}, \"min\": {}, \"median\": {}, \"overhead\": {}, \"kernel\": {}, \"reference\": {}, \"note\": {}}}{}\n",
            json_string(&measurement.name),
            measurement.minimum,
            measurement.median,
            optional_number(measurement.overhead),
            json_string(&row.kernel),
            optional_string(row.reference()),
            optional_string(row.note.as_deref()),
            if index + 1 < rows.len() { "," } else { "" },
        ));
    }
    out.push_str("  ]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "A9N 0.1.0\r\nbench-overhead ipc round trip (inter address space, 0 words): 14 instructions\n\
        bench ipc round trip (inter address space, 0 words): min 300 median 310 instructions\n\
        bench notification round trip: min 1200 median 1250 instructions\n\
        bench broken: min x median 3 instructions\nbench done\n";

    fn row(name: &str, median: u64, note: Option<&str>) -> Row {
        Row {
            measurement: Measurement {
                name: name.to_owned(),
                minimum: median - 1,
                median,
                overhead: Some(12),
            },
            kernel: "default".to_owned(),
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn bench_lines_are_read_with_their_overhead() {
        let measurements = parse_log(LOG);
        assert_eq!(measurements.len(), 2);
        assert_eq!(
            measurements[0],
            Measurement {
                name: INTER_ADDRESS_SPACE.to_owned(),
                minimum: 300,
                median: 310,
                overhead: Some(14),
            }
        );
        assert_eq!(measurements[1].name, "notification round trip");
        assert_eq!(measurements[1].overhead, None);
    }

    #[test]
    fn the_table_is_aligned_and_names_references() {
        let rows = [
            row(INTER_ADDRESS_SPACE, 310, None),
            row(SLOW_PATH, 1500, Some("fastpath not implemented yet")),
            row("notification round trip", 1250, None),
        ];
        let table = format_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[1].ends_with("310  seL4 395"));
        assert!(lines[2].contains("1,500  seL4 1,386 (fastpath off)"));
        assert!(lines[3].ends_with("1,250  -"));
        let column = lines[0].find("median").unwrap() + "median".len();
        assert!(
            lines[1..4]
                .iter()
                .all(|line| line[..column].ends_with(char::is_numeric))
        );
        assert!(lines[4].starts_with("* ipc round trip (slow path"));
        assert_eq!(
            headline(&rows).unwrap(),
            "ipc round trip (inter address space, 0 words): 310 instructions"
        );
    }

    #[test]
    fn json_lists_every_row() {
        let rows = [
            row(INTER_ADDRESS_SPACE, 310, None),
            row("x \"y\"", 5, Some("n")),
        ];
        let context = RunContext {
            commit: "abc",
            emulator: "QEMU 7.2",
            method: "icount",
        };
        let json = to_json(&rows, &context);
        assert!(json.contains("\"name\": \"ipc round trip (inter address space, 0 words)\", \"min\": 309, \"median\": 310, \"overhead\": 12, \"kernel\": \"default\", \"reference\": \"seL4 395\", \"note\": null},"));
        assert!(json.contains("\"name\": \"x \\\"y\\\"\""));
        assert!(json.contains("\"note\": \"n\"}\n  ]"));
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1386), "1,386");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
