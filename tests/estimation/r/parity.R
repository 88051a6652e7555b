# Expected values for tests/estimation/test_r_parity.py, produced with R's survey package.
# Run from this directory:  Rscript parity.R   (needs r-base-core and r-cran-survey; R 4.x, survey 4.1-1)
# Reads parity_sample.csv and parity_totals.csv; writes parity_expected_weights.csv and
# parity_expected_estimates.csv. The Python test reads only those files, so it never needs R.
suppressPackageStartupMessages(library(survey))
options(digits = 15)

d <- read.csv("parity_sample.csv", stringsAsFactors = TRUE)
totals <- read.csv("parity_totals.csv", stringsAsFactors = FALSE)
d$hid <- factor(d$hid)

des <- svydesign(ids = ~hid, strata = ~district, weights = ~w, data = d)

# Population vector in model.matrix order: intercept, then every non-reference level of each factor.
pop <- c(`(Intercept)` = sum(totals$total[totals$margin == "agesex"]))
for (m in c("agesex", "district", "hhsize")) {
  lv <- levels(d[[m]])
  t <- totals[totals$margin == m, ]
  for (l in lv[-1]) pop[paste0(m, l)] <- t$total[t$level == l]
}
form <- ~agesex + district + hhsize

raked <- calibrate(des, form, population = pop, calfun = "raking", epsilon = 1e-13, maxit = 500)
linear_b <- calibrate(des, form, population = pop, calfun = "linear", bounds = c(0.3, 3.0),
                      epsilon = 1e-13, maxit = 500)
linear_u <- calibrate(des, form, population = pop, calfun = "linear", epsilon = 1e-13)

write.csv(data.frame(raking = weights(raked), linear_bounded = weights(linear_b),
                     linear = weights(linear_u)),
          "parity_expected_weights.csv", row.names = FALSE)

out <- list()
add <- function(design_name, statistic, variable, domain, est, se) {
  out[[length(out) + 1]] <<- data.frame(design = design_name, statistic = statistic, variable = variable,
                                        domain = domain, estimate = est, se = se)
}
stat_rows <- function(design_name, statistic, s) {
  se <- sqrt(diag(as.matrix(vcov(s))))
  for (i in seq_along(coef(s))) add(design_name, statistic, names(coef(s))[i], "", coef(s)[[i]], se[[i]])
}

designs <- list(base = des, raking = raked, linear_bounded = linear_b, linear = linear_u)
for (nm in names(designs)) {
  ds <- designs[[nm]]
  stat_rows(nm, "mean", svymean(~income + employed + hours, ds))
  stat_rows(nm, "total", svytotal(~income + employed + hours, ds))
  r <- svyratio(~income, ~hours, ds)
  add(nm, "ratio", "income/hours", "", coef(r)[[1]], sqrt(vcov(r)[[1]]))
  b <- svyby(~income + employed, ~district, ds, svymean)
  for (dm in rownames(b)) {
    for (v in c("income", "employed")) add(nm, "mean", v, dm, b[dm, v], b[dm, paste0("se.", v)])
  }
}

# Replicate weights: stratified delete-one-PSU jackknife (JKn), variance around the full-sample estimate.
rep <- as.svrepdesign(des, type = "JKn", mse = TRUE)
stat_rows("jkn", "mean", svymean(~income + employed, rep))
rep_raked <- calibrate(rep, form, population = pop, calfun = "raking", epsilon = 1e-13, maxit = 500)
stat_rows("jkn_raking", "mean", svymean(~income + employed, rep_raked))
stat_rows("jkn_raking", "total", svytotal(~income, rep_raked))

res <- do.call(rbind, out)
write.csv(format(res, digits = 15), "parity_expected_estimates.csv", row.names = FALSE)
cat("survey", as.character(packageVersion("survey")), "\n")
cat("bounded g range:", range(weights(linear_b) / weights(des)), "\n")
