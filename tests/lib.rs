//! Integration tests of the generator and the generated `bitrix24` crate; see the test
//! targets beside this file.
