pragma circom 2.0.0;

// No public signals at all (publicSignals = []), and an array input.
template Private() {
  signal input x[3];
  signal t;
  signal u;
  t <== x[0] * x[1];
  u <== t * x[2];
  u * 1 === t * x[2];
}

component main = Private();
