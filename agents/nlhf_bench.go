package agents

// BenchParams returns the hyperparameters the NLHF speed benchmarks use for
// algorithm name: stable exact-mode values with τ = 0.1 where there is one,
// and gradient steps (lr > 0) for DPO and IPO, so that every iteration does
// work (their default lr = 0 solves once and then idles).
func BenchParams(name string) map[string]any {
	switch name {
	case "mnpo":
		return map[string]any{"players": 3}
	case "rlhf":
		return map[string]any{"tau": 0.1, "eta": 1.0}
	case "dpo", "ipo":
		return map[string]any{"lr": 0.1}
	case "nash_md_pg", "inpo":
		return map[string]any{"tau": 0.1}
	case "mmd", "omd", "nash_md", "egpo", "nash_mp", "onpo":
		return map[string]any{"tau": 0.1, "eta": 1.0}
	}
	return nil
}

// BenchBytes is the compulsory memory traffic of one exact step on B
// contexts × K responses with one preference matrix per context: the K²
// entries of P read once, log π and log ref read and log π' written, 8
// bytes each. Learners that evaluate win rates twice per step (EGPO,
// Nash-MP, Nash-MD, MNPO) move more; the figure is the one-pass floor.
func BenchBytes(b, k int) int64 { return int64(8 * b * (k*k + 3*k)) }
