"""Program eligibility: profile fields, SME size, verdicts and the next question."""
