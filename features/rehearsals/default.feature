@rehearsal
Feature: The reference SoLR rehearsal, on a fleet of 400 meters
  scenarios/solr-default.yaml written as a feature, on a smaller fleet: Bright Energy (40% of
  the fleet) fails at 09:00 on Monday; Ofgem revokes its certificates at 09:05 and instructs the
  SRP at 09:30; the SRP switches its prepayment meters to credit over a normal WAN while the
  fleet's meters raise alerts. It runs on the simpy world of `solrsim run`, and each Then step
  judges one expectation of the scenario file with the same evaluator and evidence.

  Background:
    Given a rehearsal "solr-default" from Monday 08:00 to Tuesday 08:00 with seed 20261102
    And a fleet of 400 meters: 55% ESME, 35% GSME and 10% SMETS1, 25% of them in prepayment
    And the SRP is "Shared Resource Provider", DCC User "90-B3-D5-1F-30-0A-00-00", sending 50 requests a second in batches of 200, each up to 5 times 300 seconds apart
    And the SRP starts 10 minutes after Ofgem's instruction, its ARO having submitted an ADT of 1500 SR 1.6 a day
    And the suppliers of the fleet:
      | supplier      | DCC User                | share | fails at     | arranged the SRP |
      | Bright Energy | 90-B3-D5-1F-30-01-00-00 | 40%   | Monday 09:00 | yes              |
      | Steady Power  | 90-B3-D5-1F-30-03-00-00 | 60%   |              | no               |
    And Ofgem revokes the failed supplier's certificates at Monday 09:05 and instructs the SRP at Monday 09:30
    And the WAN's round trips:
      | meters       | median | spread |
      | ESME         | 3 s    | 0.5    |
      | GSME         | 5 s    | 0.6    |
      | SMETS1 meter | 15 s   | 0.8    |
    And the WAN loses 0.5% of frames, and the DCC waits 120 seconds for a device to answer
    And meters raise alert 0x8F3F 20 times between Monday 09:00 and Monday 20:00
    And meters raise alert 0x8F1F 50 times between Monday 09:00 and Tuesday 07:00
    And meters raise alert 0x8F1D 10 times between Monday 10:00 and Monday 14:00

  @R6.3 @R6.4 @R5.1 @R5.2 @R7.1 @R7.2 @smets1 @smets2
  Scenario: The SRP switches every reachable prepayment meter to credit, and nothing into prepayment
    When the rehearsal runs
    Then within 24 hours of the failure 100% of the failed supplier's reachable prepayment meters are in credit
    And no request to put a meter into prepayment is actioned
    And every alert of the failed supplier's meters from its revocation on reaches the SRP
