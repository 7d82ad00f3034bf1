//! Prints the text lines of pictures with the offline engine, and timings.
//!
//! `cargo run --release --example local-ocr -- [--runs N] [--batch N] [--threads N]
//! [--det-max-side PX] [--min-score PERCENT] PICTURE...`

use std::time::Instant;
use xocr::engine::local::{Recognizer, RecognizerOptions};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 1usize;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .max(1);
        args.drain(i..(i + 2).min(args.len()));
    }
    let mut opt = |name: &str| -> Option<usize> {
        let i = args.iter().position(|a| a == name)?;
        let v = args.get(i + 1).and_then(|v| v.parse().ok());
        args.drain(i..(i + 2).min(args.len()));
        v
    };
    let batch = opt("--batch");
    let threads = opt("--threads");
    let det_max_side = opt("--det-max-side");
    let min_score = opt("--min-score");
    let t = Instant::now();
    let mut opts = RecognizerOptions::default();
    if let Some(m) = det_max_side {
        opts.det_max_side = m as u32;
    }
    let mut engine = Recognizer::load(&opts)?;
    let mut tuning = engine.tuning();
    tuning.rec_batch = batch.unwrap_or(tuning.rec_batch);
    tuning.threads = threads.unwrap_or(tuning.threads);
    if let Some(p) = min_score {
        tuning.min_text_score = p as f32 / 100.0;
    }
    engine = engine.with_tuning(tuning);
    eprintln!("load: {:.3} s", t.elapsed().as_secs_f64());
    for path in &args {
        let img = image::open(path)?.to_rgb8();
        let mut times = Vec::new();
        let mut lines = Vec::new();
        let mut stages = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let (l, s) = engine.recognize_timed(&img)?;
            times.push(t.elapsed().as_secs_f64());
            lines = l;
            stages.push(s);
        }
        let first = times[0];
        let mut warm = times[1.min(times.len() - 1)..].to_vec();
        warm.sort_by(f64::total_cmp);
        println!("== {path} ({}x{})", img.width(), img.height());
        for l in &lines {
            println!("{:.3}\t{:?}\t{}", l.confidence, l.position, l.text);
        }
        let s = stages[stages.len() - 1];
        eprintln!(
            "{path}: last run det {:.3} s, cls {:.3} s, rec {:.3} s for {} boxes",
            s.det.as_secs_f64(),
            s.cls.as_secs_f64(),
            s.rec.as_secs_f64(),
            s.lines
        );
        eprintln!(
            "{path}: first {:.3} s, median of {} warm runs {:.3} s, plans {:?}",
            first,
            warm.len(),
            warm[warm.len() / 2],
            engine.plan_counts()
        );
        let [d, c, r] = engine.runtime_counts();
        eprintln!(
            "{path}: calls on rten/tract so far: det {}/{}, cls {}/{}, rec {}/{}",
            d.rten_calls, d.tract_calls, c.rten_calls, c.tract_calls, r.rten_calls, r.tract_calls
        );
    }
    Ok(())
}
