# Expected values for tests/estimation/test_r_features.py (issue 20), computed with R's survey package on
# datasets bundled with that package, which the Python tests never load through R.
# Run from this directory:  Rscript features.R   (needs r-base-core and r-cran-survey; written with R 4.2,
# survey 4.1-1). Writes datasets/*.csv (the data, as R ships them) and features_expected_*.csv.
# The Python tests read only those files, so they never need R.
suppressPackageStartupMessages(library(survey))
options(digits = 15, survey.lonely.psu = "fail")
data(api)
data(election)
data(scd)

out <- list()
add <- function(case, statistic, variable, domain, est, se) {
  out[[length(out) + 1]] <<- data.frame(case = case, statistic = statistic, variable = variable,
                                        domain = domain, estimate = est, se = se)
}
stat_rows <- function(case, statistic, s) {
  se <- sqrt(diag(as.matrix(vcov(s))))
  for (i in seq_along(coef(s))) add(case, statistic, names(coef(s))[i], "", coef(s)[[i]], se[[i]])
}
standard <- function(case, ds, vars, by = NULL, ratio = NULL) {
  f <- as.formula(paste("~", paste(vars, collapse = "+")))
  stat_rows(case, "mean", svymean(f, ds))
  stat_rows(case, "total", svytotal(f, ds))
  if (!is.null(ratio)) {
    r <- svyratio(as.formula(paste("~", ratio[1])), as.formula(paste("~", ratio[2])), ds)
    add(case, "ratio", paste(ratio, collapse = "/"), "", coef(r)[[1]], sqrt(vcov(r)[[1]]))
  }
  if (!is.null(by)) {
    b <- svyby(f, as.formula(paste("~", by)), ds, svymean)
    for (dm in rownames(b)) for (v in vars) add(case, "mean", v, dm, b[dm, v], b[dm, paste0("se.", v)])
  }
}
write_data <- function(d, name) write.csv(d, file.path("datasets", paste0(name, ".csv")), row.names = FALSE)

# --- Data, as bundled with survey (California API 1999-2000; 2004 US election by county; SCD trial) ---
strat <- apistrat[, c("snum", "stype", "pw", "fpc", "api00", "api99", "enroll", "sch.wide", "meals")]
strat$frac <- ave(rep(1, nrow(strat)), strat$stype, FUN = sum) / strat$fpc  # sampling fraction n_h / N_h
write_data(strat, "apistrat")
clus1 <- apiclus1[, c("dnum", "snum", "stype", "pw", "fpc", "api00", "api99", "enroll", "sch.wide", "meals")]
write_data(clus1, "apiclus1")
clus2 <- apiclus2[, c("dnum", "snum", "stype", "pw", "fpc1", "fpc2", "api00", "api99", "sch.wide", "meals")]
write_data(clus2, "apiclus2")
pps <- election_pps[, c("County", "TotPrecincts", "Bush", "Kerry", "votes", "p", "wt")]
write_data(pps, "election_pps")
write_data(scd, "scd")
pop <- as.data.frame(table(stype = apipop$stype, sch.wide = apipop$sch.wide))
write_data(pop, "apipop_counts")

# 1. Finite-population correction per stratum: population sizes, and the same as sampling fractions.
d_fpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
standard("strat_fpc", d_fpc, c("api00", "enroll"), by = "sch.wide", ratio = c("api00", "api99"))
d_frac <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~frac, data = strat)
standard("strat_frac", d_frac, c("api00", "enroll"))
d_clus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
standard("clus1_fpc", d_clus1, c("api00", "enroll"), by = "stype")

# 2. Two stages with a correction at each (districts, then schools), raw and raked to the population.
d_clus2 <- svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = clus2)
standard("clus2_twostage", d_clus2, c("api00", "meals"), by = "stype", ratio = c("api00", "api99"))
d_clus2_wr <- svydesign(id = ~dnum + snum, weights = ~pw, data = clus2)  # no fpc: first stage only
standard("clus2_no_fpc", d_clus2_wr, c("api00", "meals"))
st <- table(apipop$stype)
raked2 <- calibrate(d_clus2, ~stype, population = c(`(Intercept)` = sum(st), stypeH = st[["H"]],
                    stypeM = st[["M"]]), calfun = "raking", epsilon = 1e-13, maxit = 500)
standard("clus2_twostage_raked", raked2, c("api00", "meals"))

# 3. PPS without replacement (election_pps: 40 counties drawn with probability proportional to votes).
for (m in c("brewer", "overton")) {
  ds <- svydesign(id = ~1, fpc = ~p, data = pps, pps = m)
  standard(paste0("pps_", m), ds, c("Bush", "Kerry"), ratio = c("Bush", "votes"))
}
standard("pps_hartley_rao", svydesign(id = ~1, fpc = ~p, data = pps, pps = HR()), c("Bush", "Kerry"),
         ratio = c("Bush", "votes"))

# 4. BRR and Fay from a design with paired PSUs (scd: 3 strata of 2 ambulances), and with strata of
#    many PSUs split into pairs (apistrat: 100 pairs, a Paley Hadamard matrix of order 104).
d_scd <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
brr <- as.svrepdesign(d_scd, type = "BRR")
fay <- as.svrepdesign(d_scd, type = "Fay", fay.rho = 0.3)
standard("scd_brr", brr, c("alive", "arrests"), ratio = c("alive", "arrests"))
standard("scd_fay", fay, c("alive", "arrests"), ratio = c("alive", "arrests"))
write.csv(weights(fay, "analysis"), "features_expected_scd_fay_weights.csv", row.names = FALSE)
strat_brr <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat), type = "BRR")
standard("strat_brr", strat_brr, c("api00", "enroll"))
# 25 pairs (high schools) and 50 pairs (high and middle schools): R takes its stored Hadamard matrix of
# order 28, and that matrix doubled (56).
high <- subset(strat, stype == "H")
standard("high_brr", as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = high), type = "BRR"),
         c("api00", "enroll"), ratio = c("api00", "api99"))
hm <- subset(strat, stype != "E")
standard("hm_fay", as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = hm), type = "Fay",
                                  fay.rho = 0.5), c("api00", "enroll"))

# 5. Bounded raking of apiclus1 on school type and sch.wide, g within (0.6, 1.6).
sw <- table(apipop$sch.wide)
raked1 <- calibrate(d_clus1, ~stype + sch.wide,
                    population = c(`(Intercept)` = sum(st), stypeH = st[["H"]], stypeM = st[["M"]],
                                   sch.wideYes = sw[["Yes"]]),
                    calfun = "raking", bounds = c(0.6, 1.6), epsilon = 1e-13, maxit = 500)
standard("clus1_raked_bounded", raked1, c("api00", "enroll"))

# 6. Jackknife with each row its own PSU (id=~1), stratified.
jk <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat), type = "JKn", mse = TRUE)
standard("strat_jkn_rows", jk, c("api00", "enroll"))

# 7. trimWeights: the trimmed amount shared equally among the untrimmed units.
trim1 <- trimWeights(d_clus2, upper = 60, lower = 20)
trim2 <- trimWeights(d_clus2, upper = 60, lower = 20, strict = TRUE)

write.csv(data.frame(clus1_raked_bounded = weights(raked1)), "features_expected_clus1_raked.csv",
          row.names = FALSE)
write.csv(data.frame(clus2_raked = weights(raked2), trim = weights(trim1), trim_strict = weights(trim2)),
          "features_expected_clus2_weights.csv", row.names = FALSE)
# The Hadamard matrices R's BRR uses for some numbers of pairs, including R's stored orders 28 and 36 and their
# doublings (24, 27, 35, 53, 70).
had <- do.call(rbind, lapply(c(1, 3, 5, 9, 13, 17, 20, 21, 24, 27, 29, 35, 37, 41, 45, 53, 61, 70), function(n) {
  H <- hadamard(n)
  data.frame(n = n, row = as.vector(row(H)), col = as.vector(col(H)), value = as.vector(H))
}))
write.csv(had, "features_expected_hadamard.csv", row.names = FALSE)

res <- do.call(rbind, out)
write.csv(format(res, digits = 15), "features_expected_estimates.csv", row.names = FALSE)
cat("survey", as.character(packageVersion("survey")), "\n")
cat("bounded raking g range:", range(weights(raked1) / weights(d_clus1)), "\n")
